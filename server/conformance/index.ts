/**
 * The conformance kit: loads a runtime plugin package the way the server does and checks the
 * contract against the author's fixture (docs/plugin-guide.md, plugins/sdk/README.md).
 *
 *   const report = await runConformance('path/to/plugin');
 *   console.log(formatReport(report)); // one line per check, then a summary
 *
 * It runs the plugin in this process, on one instance identity, against whatever backend the
 * fixture's config reaches, and always cleans up after itself (the plugin's `delete`, the
 * temporary data dir).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CheckList, runContract } from './contract.js';
import { PluginDriver } from './driver.js';
import { FixtureError, loadFixture, locateFixture, type PreparedFixture } from './fixture.js';
import { loadPluginPackage } from './load.js';
import { CHECK, type ConformanceOptions, type ConformanceReport } from './types.js';

export { formatReport } from './format.js';
export { CHECK, type CheckStatus, type ConformanceCheck, type ConformanceOptions, type ConformanceReport } from './types.js';

const DEFAULT_TIMEOUT_MS = 30_000;

export async function runConformance(packageDir: string, options: ConformanceOptions = {}): Promise<ConformanceReport> {
  const began = Date.now();
  const dir = path.resolve(packageDir);
  const checks = new CheckList();
  const finish = (extra: Partial<ConformanceReport>, why: string): ConformanceReport => {
    const list = checks.list(why);
    return { packageDir: dir, checks: list, passed: !list.some((c) => c.status === 'failed'), durationMs: Date.now() - began, ...extra };
  };

  const outcome = await loadPluginPackage(dir);
  if (!outcome.ok) {
    checks.fail(CHECK.load, outcome.reason);
    const plugin = outcome.plugin && { name: outcome.plugin.name, version: outcome.plugin.version, packageName: outcome.plugin.packageName, entry: outcome.plugin.entry };
    return finish({ loadError: outcome.reason, ...(plugin ? { plugin } : {}) }, 'the plugin did not load');
  }
  const { host, loaded } = outcome;
  const { info } = loaded;
  const plugin = { name: info.name, version: info.version, packageName: info.packageName, entry: info.entry };
  checks.pass(CHECK.load, `${info.packageName} loads as plugin "${info.name}" ${info.version} from ${path.relative(dir, info.entry) || info.entry}`);

  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'driftless-conformance-'));
  let fixture: PreparedFixture | undefined;
  let fixturePath: string | undefined;
  try {
    try {
      fixturePath = locateFixture(dir, options.fixture);
      fixture = await loadFixture(fixturePath, { dataDir, packageDir: dir });
    } catch (error) {
      if (!(error instanceof FixtureError)) throw error;
      checks.fail(CHECK.fixture, error.message);
      return finish({ plugin, loadError: error.message, ...(fixturePath ? { fixture: fixturePath } : {}) }, 'no usable fixture');
    }
    checks.pass(CHECK.fixture, `${path.relative(dir, fixture.path).startsWith('..') ? fixture.path : path.relative(dir, fixture.path)} drives instance ${fixture.instance.application}/${fixture.instance.channel}/${fixture.instance.service}`);

    const timeoutMs = options.timeoutMs ?? fixture.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const driver = new PluginDriver({ plugin: loaded.plugin, config: fixture.config, instance: fixture.instance, dataDir, callTimeoutMs: timeoutMs });
    try {
      await runContract({ host, loaded, driver, fixture, timeoutMs }, checks);
    } finally {
      // Leave nothing behind on the backend, whatever failed above.
      if (!checks.has(CHECK.delete) && loaded.plugin.delete) await driver.delete('cleanup').catch(() => undefined);
    }
    if (driver.malformed.length > 0) checks.fail(CHECK.stateShape, driver.malformed[0]!);
    else if (checks.has(CHECK.converges)) checks.pass(CHECK.stateShape, 'every state fetch returned is a well-formed ObservedState');
    return finish({ plugin, fixture: fixture.path }, 'not reached: an earlier check failed');
  } finally {
    await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
}
