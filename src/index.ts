export * from './connector/index.js';
export * from './socure/index.js';
export * from './webhooks/index.js';
