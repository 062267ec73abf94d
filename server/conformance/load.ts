/**
 * Loads one plugin package exactly as the server does: through the plugin host, with the package
 * dir as the only DRIFTLESS_PLUGIN_PATH entry. So a wrong apiVersion, a missing export or a broken
 * schema reads here word for word as it would in the server's `runtimePlugins`.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PluginHost, type LoadedPlugin } from '../plugin-host/index.js';

export type LoadOutcome = { ok: true; host: PluginHost; loaded: LoadedPlugin } | { ok: false; reason: string; plugin?: LoadedPlugin['info'] };

export async function loadPluginPackage(packageDir: string): Promise<LoadOutcome> {
  if (!existsSync(packageDir) || !statSync(packageDir).isDirectory()) return { ok: false, reason: `${packageDir} is not a directory` };
  // Without this the host would treat the dir as a folder of packages and look inside it.
  if (!existsSync(join(packageDir, 'package.json'))) return { ok: false, reason: `${packageDir} has no package.json` };
  const host = await PluginHost.discover({ roots: [], pluginPath: [packageDir] });
  const [info] = host.list();
  if (!info) {
    return { ok: false, reason: `${packageDir}/package.json does not declare a runtime plugin: add "driftless": { "runtimePlugin": 1 }` };
  }
  const loaded = host.get(info.name);
  if (info.status !== 'LOADED' || !loaded) {
    return { ok: false, reason: `the server refuses ${info.packageName}: ${info.reason ?? 'no reason given'}`, plugin: info };
  }
  return { ok: true, host, loaded };
}
