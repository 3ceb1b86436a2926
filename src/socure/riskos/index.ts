export * from './client.js';
export * from './evaluations.js';
export * from './request.js';
export * from './response.js';
