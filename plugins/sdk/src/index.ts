export * from './contract.js';
export * from './errors.js';
export type * from './fixture.js';
export { definePluginRuntime, describeProblems, PluginDefinitionError } from './define.js';
