import type { Command } from 'commander';

/**
 * `driftless server` is `npm start`: the same entry (server/main.ts), so both print the same URLs
 * and first-start token and stop the same way on SIGINT/SIGTERM. Flags only set the environment
 * variables that entry reads.
 */
export function registerServer(program: Command): void {
  program
    .command('server')
    .description('start the Driftless server (same as npm start)')
    .option('-p, --port <port>', 'HTTP and WebSocket port (env PORT, default 4000; 0 picks a free one)')
    .option('--host <address>', 'address to listen on (env HOST, default 127.0.0.1)')
    .option('-d, --data-dir <dir>', 'SQLite database and local runtime state (env DRIFTLESS_DATA_DIR, default ./.driftless)')
    .addHelpText('after', '\nEvery other setting is an environment variable: see "Server settings" in README.md.')
    .action(async (opts: { port?: string; host?: string; dataDir?: string }) => {
      if (opts.port !== undefined) process.env.PORT = opts.port;
      if (opts.host !== undefined) process.env.HOST = opts.host;
      if (opts.dataDir !== undefined) process.env.DRIFTLESS_DATA_DIR = opts.dataDir;
      // Importing the entry starts the server; it owns the process from here (signals, exit).
      await import('../../main.js');
    });
}
