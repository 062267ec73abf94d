export * from './contract.js';
export * from './errors.js';
export { definePluginRuntime, describeProblems, PluginDefinitionError } from './define.js';
