/**
 * Replays plugins/sdk/README.md literally: the files come from its code blocks (`file=...`), the
 * shell step that installs the SDK runs as written, then the kit and a real server use the result.
 * The tutorial's files must also be byte for byte the ones in examples/plugin-file-runtime.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { registerPluginTest } from '../../server/cli/commands/plugin-test.js';
import { APPLY_CONFIG, CREATE_RELEASE } from '../helpers/config-text.js';
import { startTestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const readme = readFileSync(path.join(repo, 'plugins/sdk/README.md'), 'utf8');
const example = path.join(repo, 'examples/plugin-file-runtime');

interface Block { lang: string; attrs: Record<string, string>; body: string }
const blocks: Block[] = [...readme.matchAll(/^```(\w*)([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({
  lang: m[1]!,
  attrs: Object.fromEntries([...m[2]!.matchAll(/(\w+)=(\S+)/g)].map((a) => [a[1]!, a[2]!])),
  body: m[3]!,
}));

// The layout step 1 asks for: the clone and the plugin folder side by side.
const work = mkdtempSync(path.join(os.tmpdir(), 'driftless-tutorial-'));
symlinkSync(repo, path.join(work, 'driftless'));
const pluginDir = path.join(work, 'driftless-file-runtime');
mkdirSync(pluginDir);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the SDK tutorial, followed literally', () => {
  it('has the files of examples/plugin-file-runtime, byte for byte', () => {
    const files = blocks.filter((b) => b.attrs.file);
    expect(files.map((b) => b.attrs.file)).toEqual(['package.json', 'record.js', 'index.js', 'driftless.fixture.json', 'driftless.yaml']);
    for (const block of files) {
      writeFileSync(path.join(pluginDir, block.attrs.file!), block.body);
      if (block.attrs.file === 'package.json') continue; // the example also records its SDK dependency
      expect(block.body, block.attrs.file).toBe(readFileSync(path.join(example, block.attrs.file!), 'utf8'));
    }
    const { dependencies, ...rest } = JSON.parse(readFileSync(path.join(example, 'package.json'), 'utf8'));
    expect(JSON.parse(files[0]!.body)).toEqual(rest);
    expect(dependencies).toEqual({ '@driftless/plugin-sdk': 'file:../../plugins/sdk' });
  });

  it('installs the SDK with the command it shows', { timeout: 60_000 }, () => {
    const install = blocks.filter((b) => b.attrs.step === 'install');
    expect(install).toHaveLength(1);
    for (const line of install[0]!.body.split('\n').filter((l) => l.trim() !== '')) {
      // Offline: the SDK comes from the clone, nothing may come from a registry.
      execFileSync('sh', ['-c', line], { cwd: pluginDir, stdio: 'pipe', env: { ...process.env, npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' } });
    }
    expect(JSON.parse(readFileSync(path.join(pluginDir, 'package.json'), 'utf8')).dependencies['@driftless/plugin-sdk']).toMatch(/^file:/);
  });

  it('passes `driftless plugin test .`', async () => {
    let out = '';
    const program = new Command('driftless').exitOverride().configureOutput({ writeOut: (s) => (out += s) });
    registerPluginTest(program);
    await program.parseAsync(['plugin', 'test', pluginDir], { from: 'user' }); // throws on exit 1 or 2
    expect(out.trim().split('\n').at(-1)).toMatch(/^PASS 13 passed, 0 failed, 1 skipped/);
  });

  it('loads into a server from DRIFTLESS_PLUGIN_PATH and deploys the config it shows to both channels', { timeout: 60_000 }, async () => {
    await using server = await startTestServer({ config: { pluginPath: [pluginDir] }, engine: { steadyIntervalMs: 500, gatePollMs: 200 } });
    const plugins = (await server.data(`{ runtimePlugins { name status } }`)).runtimePlugins;
    expect(plugins).toContainEqual({ name: 'file', status: 'LOADED' });
    const documents = readFileSync(path.join(pluginDir, 'driftless.yaml'), 'utf8');
    expect((await server.data(APPLY_CONFIG, { documents })).applyConfig.userErrors).toEqual([]);
    expect((await server.data(CREATE_RELEASE, { application: 'shop', service: 'web', params: { version: 'v1' } })).createRelease.userErrors).toEqual([]);
    await waitFor(async () => {
      const channels = (await server.data(`{ application(name: "shop") { releaseChannels { instances { status } } } }`)).application.releaseChannels;
      return channels.every((c: { instances: { status: string }[] }) => c.instances[0]?.status === 'CONVERGED');
    }, 'staging and production to converge', 20_000, 100);
    for (const channel of ['staging', 'production']) {
      const record = JSON.parse(readFileSync(path.join(server.dataDir, 'files', 'shop', channel, 'web.json'), 'utf8'));
      expect(record.content).toEqual({ greeting: `hello from ${channel}`, version: 'v1' });
    }
  });
});
