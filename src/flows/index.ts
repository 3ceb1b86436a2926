export * from './conditions.js';
export * from './definition.js';
export * from './engine.js';
export * from './engine-options.js';
export * from './form.js';
export * from './loader.js';
export * from './references.js';
