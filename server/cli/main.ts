/**
 * `driftless`: the command line for a Driftless server. bin/driftless.js runs this file (built or
 * through tsx). Every expected failure ends as one line and a hint on stderr with a documented exit
 * code (errors.ts); a stack trace is printed only with DRIFTLESS_DEBUG=1.
 */
import { Command, CommanderError, Option } from 'commander';
import pc from 'picocolors';
import { registerApply } from './commands/apply.js';
import { registerApprove } from './commands/approve.js';
import { registerBypass } from './commands/bypass.js';
import { registerPin } from './commands/pin.js';
import { registerRolloutSteps } from './commands/rollout-steps.js';
import { registerDelete } from './commands/delete.js';
import { registerDemo } from './commands/demo.js';
import { registerEvents } from './commands/events.js';
import { registerLogin } from './commands/login.js';
import { registerMetrics } from './commands/metrics.js';
import { registerNotifications } from './commands/notifications.js';
import { registerPause } from './commands/pause.js';
import { registerPlugins } from './commands/plugins.js';
import { registerPluginTest } from './commands/plugin-test.js';
import { registerRelease } from './commands/release.js';
import { registerRollback } from './commands/rollback.js';
import { registerServer } from './commands/server.js';
import { registerSecrets } from './commands/secrets.js';
import { registerStatus } from './commands/status.js';
import { registerToken } from './commands/token.js';
import { CliError, EXIT } from './errors.js';
import { notifyOutputClosed } from './stop-requests.js';

export function buildProgram(): Command {
  const program = new Command('driftless')
    .description('Intent-based deployment control plane: apply config, release, watch it converge.')
    .version(process.env.npm_package_version ?? '0.1.0', '-V, --version')
    .addOption(new Option('-s, --server <url>', 'server URL (env DRIFTLESS_URL, else the login config, else http://127.0.0.1:4000)'))
    .addOption(new Option('-t, --token <token>', 'API token (env DRIFTLESS_TOKEN, else the login config)'))
    .addOption(new Option('-o, --output <format>', 'table or json (read commands)').choices(['table', 'json']))
    .showHelpAfterError('(run with --help for usage)')
    .showSuggestionAfterError(true)
    .exitOverride();
  for (const register of [registerServer, registerLogin, registerApply, registerRelease, registerStatus, registerApprove, registerBypass, registerRollback, registerPin, registerRolloutSteps, registerPause, registerEvents, registerNotifications, registerMetrics, registerPlugins, registerPluginTest, registerToken, registerSecrets, registerDelete, registerDemo]) {
    register(program);
  }
  program.addHelpText('after', '\nExit codes: 0 ok, 1 failure or rollback, 2 usage or input error, 3 cannot reach the server or token refused, 4 not allowed for this token.\nDocs: docs/cli.md');
  return program;
}

/** Prints an error the way every command should end: one line, optional details and hint. */
export function report(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander already printed its message (and the usage hint); help and --version are not errors.
    return ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code) || err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  }
  if (err instanceof CliError) {
    process.stderr.write(`${pc.red('error:')} ${err.message}\n`);
    for (const line of err.details) process.stderr.write(`${line}\n`);
    if (err.hint) process.stderr.write(`${pc.dim(`hint: ${err.hint}`)}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`${pc.red('error:')} unexpected: ${message}\n`);
  if (process.env.DRIFTLESS_DEBUG) process.stderr.write(`${(err as Error)?.stack ?? ''}\n`);
  else process.stderr.write(`${pc.dim('hint: this is a bug in the CLI; rerun with DRIFTLESS_DEBUG=1 and report the stack trace')}\n`);
  return EXIT.FAILURE;
}

/**
 * `driftless events | head` closes the pipe early: that is the reader's choice, not an error, and
 * the command ends. A command with something to clean up first (the demo's apps) hears about it
 * instead (stop-requests.ts) and ends on its own; so does a terminal that went away (EIO).
 */
function onOutputError(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE' && err.code !== 'EIO' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
  if (!notifyOutputClosed()) process.exit(process.exitCode ?? 0);
}

async function main(argv: string[]): Promise<void> {
  process.stdout.on('error', onOutputError);
  process.stderr.on('error', onOutputError);
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    process.exitCode = report(err);
  }
}

await main(process.argv);
