export { PluginHost, type DiscoverOptions, type HostLogger, type LoadedPlugin, type PluginInfo, type Issue } from './host.js';
export { pluginPathFromEnv } from './discover.js';
export { REDACTED } from './redact.js';
