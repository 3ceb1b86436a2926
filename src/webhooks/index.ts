/**
 * Framework-neutral receiver of Socure DocV webhook deliveries (like @octokit/webhooks):
 * `verifyAndParse` authenticates and parses one delivery; `createNodeWebhookHandler` wraps it for node:http;
 * `buildTestDelivery` / `generateTestHeaders` make deliveries for tests.
 */
export * from './errors.js';
export * from './events.js';
export * from './node.js';
export * from './riskos.js';
export * from './test-helpers.js';
export * from './verify.js';
