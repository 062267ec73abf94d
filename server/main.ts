import { configFromEnv } from './config.js';
import { startDriftless } from './app.js';
import { listenForStopRequests, notifyOutputClosed } from './cli/stop-requests.js';
import { createLogger } from './logger.js';

/** `npm start` / `driftless server`: runs until SIGINT, SIGTERM or SIGHUP. */
async function main(): Promise<void> {
  let config;
  try {
    config = configFromEnv();
  } catch (err) {
    console.error(`driftless: ${(err as Error).message}`);
    process.exit(2);
  }
  const logger = createLogger(config.logLevel);
  // Listening from the start: a stop request during start-up waits for the start, then stops.
  const requests = listenForStopRequests();
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'EIO' || err.code === 'ERR_STREAM_DESTROYED') notifyOutputClosed();
      else throw err;
    });
  }
  const driftless = await startDriftless(config, { logger });
  const db = driftless.store.kind === 'sqlite' ? `SQLite at ${config.dataDir}/driftless.db` : 'PostgreSQL';
  console.log(`Driftless is running on ${db}`);
  console.log(`  API:              ${driftless.url}/graphql`);
  console.log(`  Dashboard:        ${driftless.url}/  (sign in with an API token)`);
  console.log(`  GraphQL IDE:      ${driftless.url}/graphql  (in a browser)`);
  if (driftless.generatedAdminToken) {
    console.log('');
    console.log('  First start: an admin token was created. It is shown this once; store it now:');
    console.log(`    ${driftless.generatedAdminToken}`);
    console.log('  Use it as:  Authorization: Bearer <token>');
    console.log(`  CLI:         npx driftless login --server ${driftless.url} --token <token>`);
  }
  const plugins = driftless.plugins.list();
  console.log(`  Runtime plugins: ${plugins.map((p) => (p.status === 'LOADED' ? p.name : `${p.name} (refused: ${p.reason})`)).join(', ') || 'none'}`);
  // Ctrl-C, kill, a closed terminal, or a reader of our output that went away: stop cleanly.
  const signal = await requests.requested;
  logger.info({ signal }, 'shutting down');
  await driftless.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  const hint = (err as { code?: string } | null)?.code === 'EADDRINUSE' ? ' (another program uses that port: set PORT to a free one, e.g. PORT=4001)' : '';
  console.error(`driftless: could not start: ${message}${hint}`);
  process.exit(1);
});
