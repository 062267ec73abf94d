import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerPluginTest } from '../../server/cli/commands/plugin-test.js';
import { CliError } from '../../server/cli/errors.js';

const repo = (rel: string) => fileURLToPath(new URL(`../../${rel}`, import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Runs `driftless <args>` in-process; the exit code is what the CLI's top level would use. */
async function cli(args: string[], withGlobalOutput = false): Promise<{ code: number; out: string; error?: string }> {
  let out = '';
  const program = new Command('driftless').exitOverride().configureOutput({ writeOut: (s) => (out += s), writeErr: () => {} });
  if (withGlobalOutput) program.addOption(new Option('-o, --output <format>').choices(['table', 'json']));
  registerPluginTest(program);
  try {
    await program.parseAsync(args, { from: 'user' });
    return { code: 0, out };
  } catch (err) {
    if (err instanceof CliError) return { code: err.exitCode, out, error: err.message };
    if (err instanceof Error && 'exitCode' in err) return { code: 2, out, error: err.message }; // commander usage error
    throw err;
  }
}

describe('driftless plugin test', () => {
  it('exits 0 and prints the report when every check passes', async () => {
    const { code, out } = await cli(['plugin', 'test', repo('examples/plugin-file-runtime')]);
    expect(code).toBe(0);
    expect(out).toMatch(/✓ apply is idempotent: /);
    expect(out.trim().split('\n').at(-1)).toMatch(/^PASS 13 passed/);
  });

  it('exits 1 naming the failed checks, and --output json gives the report as data', async () => {
    const { code, out, error } = await cli(['plugin', 'test', fixture('fetch-mutates'), '--output', 'json']);
    expect(code).toBe(1);
    expect(error).toBe('1 of 14 conformance checks failed: fetch does not mutate');
    const report = JSON.parse(out);
    expect(report.passed).toBe(false);
    expect(report.checks.find((c: { name: string }) => c.name === 'fetch does not mutate').status).toBe('failed');
  });

  it('reads the main program\'s global --output and takes --fixture', async () => {
    const { code, out } = await cli(['plugin', 'test', repo('plugins/runtime-fake'), '--fixture', fixture('fake.fixture.json'), '-o', 'json'], true);
    expect(code).toBe(0);
    expect(JSON.parse(out).plugin.name).toBe('fake');
  });

  it('exits 2 with one line when the plugin cannot be loaded or the input is wrong', async () => {
    expect(await cli(['plugin', 'test', fixture('wrong-api')])).toEqual({
      code: 2,
      out: '',
      error: 'the server refuses conformance-broken-wrong-api: speaks plugin apiVersion 2; this server speaks 1',
    });
    const json = await cli(['plugin', 'test', fixture('missing-export'), '--output', 'json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.out).loadError).toMatch(/has no default export/);
    expect(await cli(['plugin', 'test', repo('examples/plugin-file-runtime'), '--fixture', '/nope.json'])).toMatchObject({ code: 2, error: 'fixture /nope.json does not exist' });
    expect(await cli(['plugin', 'test', repo('examples/plugin-file-runtime'), '--timeout', 'soon'])).toMatchObject({ code: 2, error: '--timeout must be a positive number of milliseconds, got "soon"' });
    expect(await cli(['plugin', 'test', repo('examples/plugin-file-runtime'), '--output', 'yaml'])).toMatchObject({ code: 2, error: 'unknown --output "yaml"' });
    expect((await cli(['plugin', 'test'])).code).toBe(2);
  });
});
