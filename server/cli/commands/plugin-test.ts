/**
 * `driftless plugin test <package-dir> [--fixture <file>] [--output json] [--timeout <ms>]`: the
 * conformance kit on the command line. Exit 0 when every check passed, 1 when one failed, 2 when
 * the checks could not run (not a plugin, refused by the server, no usable fixture, bad flags).
 * The report goes to stdout; the verdict line to stderr through the CLI's error convention.
 */
import { Command, Option } from 'commander';
import { CliError, EXIT, usageError } from '../errors.js';

interface PluginTestOptions {
  fixture?: string;
  output?: string;
  timeout?: string;
}

/** The `plugin` command group: reused when the CLI already has one. */
function pluginGroup(program: Command): Command {
  return program.commands.find((c) => c.name() === 'plugin') ?? program.command('plugin').description('work with runtime plugin packages');
}

function parseTimeout(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) throw usageError(`--timeout must be a positive number of milliseconds, got "${value}"`);
  return ms;
}

function parseOutput(value: string | undefined): 'text' | 'json' {
  if (value === undefined || value === 'text' || value === 'table') return 'text';
  if (value === 'json') return 'json';
  throw usageError(`unknown --output "${value}"`, 'use --output json, or leave it out for text');
}

export function registerPluginTest(program: Command): void {
  const test = pluginGroup(program)
    .command('test')
    .description('check that a runtime plugin package keeps the plugin contract (the conformance kit)')
    .argument('<package-dir>', 'the plugin package: a directory with package.json and its fixture')
    .option('-f, --fixture <file>', 'fixture file (default: driftless.fixture.json or .mjs in the package)')
    .option('--timeout <ms>', 'longest wait for one plugin call and for one convergence (default 30000)')
    .addHelpText('after', '\nExit codes: 0 every check passed, 1 a check failed, 2 the checks could not run.\nGuide: plugins/sdk/README.md, docs/plugin-guide.md');
  // The main program may already define a global --output; then that one is read.
  if (!program.options.some((o) => o.long === '--output')) test.addOption(new Option('-o, --output <format>', 'text (default) or json'));

  test.action(async (packageDir: string, _opts: PluginTestOptions, command: Command) => {
    const opts = command.optsWithGlobals<PluginTestOptions>();
    const output = parseOutput(opts.output);
    const timeoutMs = parseTimeout(opts.timeout);
    // The kit loads the plugin host and its schema validator: only for this command.
    const { formatReport, runConformance } = await import('../../conformance/index.js');
    const report = await runConformance(packageDir, { ...(opts.fixture ? { fixture: opts.fixture } : {}), ...(timeoutMs ? { timeoutMs } : {}) });
    const write = command.configureOutput().writeOut ?? ((text: string) => process.stdout.write(text));
    // When nothing could run, the one error line says it all; JSON readers still get the report.
    if (output === 'json') write(`${JSON.stringify(report, null, 2)}\n`);
    else if (!report.loadError) write(`${formatReport(report)}\n`);
    if (report.loadError) throw new CliError(report.loadError, EXIT.USAGE, 'see plugins/sdk/README.md for the package layout and the fixture');
    const failed = report.checks.filter((c) => c.status === 'failed');
    if (failed.length > 0) {
      throw new CliError(`${failed.length} of ${report.checks.length} conformance checks failed: ${failed.map((c) => c.name).join(', ')}`, EXIT.FAILURE);
    }
  });
}
