export * from './capabilities/document-verification.js';
export { getScore, getScoreInput, getScoreOutput, toIdPlusRequest } from './capabilities/get-score.js';
export * from './capabilities/get-verification-url.js';
export { customCallInput, customCallOutput, makeCustomApiCall } from './capabilities/make-custom-api-call.js';
export * from './capabilities/wait-for-result.js';
export * from './capability.js';
export * from './config.js';
export * from './manifest.js';
export * from './settings.js';
