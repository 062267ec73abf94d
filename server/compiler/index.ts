/**
 * The config compiler's public API: pure functions, plain data in, plain data or diagnostics out.
 * No database, GraphQL or plugin code may be imported from here.
 */
export * from './types.js';
export { parseConfig, type ParseContext } from './parse.js';
export { compileRelease, type ReleaseInput, type CompileOptions } from './compile.js';
export { canonicalJson, contentDigest } from './digest.js';
export { formatDiagnostic, formatPath } from './diagnostics.js';
export { loadConfigSchema, CONFIG_SCHEMA_ID } from './schema.js';
export { parseDuration } from './durations.js';
export { compileGate } from './gates.js';
export { orderChannels } from './channel-graph.js';
export { diffStates, describeChange, sameIntent, type FieldChange } from './state-diff.js';
export { channelsOf, expandChannels, matches as matchesSelector } from './channel-groups.js';
