import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CliError, EXIT } from './errors.js';

export interface DemoServer {
  url: string;
  token: string;
  close(): Promise<void>;
}

/**
 * A real server inside the demo's process, on its own data dir. Imported lazily so the other
 * commands start fast and never load the server. The admin token lives in the data dir (0600) so a
 * second `driftless demo` on the same dir gets in again.
 */
export async function startDemoServer(opts: { dataDir: string; port: number }): Promise<DemoServer> {
  const [{ startDriftless }, { configFromEnv }, { createLogger }, { generateToken }] = await Promise.all([
    import('../app.js'),
    import('../config.js'),
    import('../logger.js'),
    import('../auth/tokens.js'),
  ]);
  mkdirSync(opts.dataDir, { recursive: true });
  const tokenFile = path.join(opts.dataDir, 'demo-admin-token');
  if (!existsSync(tokenFile)) writeFileSync(tokenFile, `${generateToken()}\n`, { mode: 0o600 });
  const token = readFileSync(tokenFile, 'utf8').trim();
  let base;
  try {
    base = configFromEnv(process.env);
  } catch (err) {
    throw new CliError(`bad server setting: ${(err as Error).message}`, EXIT.USAGE);
  }
  const config = {
    ...base,
    port: opts.port,
    dataDir: opts.dataDir,
    adminToken: token,
    // A demo should feel live: look at gates and health more often than a production default.
    engine: { ...base.engine, gatePollMs: 500, healthPollMs: 500 },
  };
  // The process runtime keeps its replica records under the data dir it reads from the environment.
  process.env.DRIFTLESS_DATA_DIR = opts.dataDir;
  const driftless = await startDriftless(config, { logger: createLogger(process.env.DRIFTLESS_LOG_LEVEL ?? 'warn') });
  return { url: driftless.url, token, close: () => driftless.close() };
}

/** The demo's apps listen on fixed ports; a busy one would only show up later as an unhealthy replica. */
export async function assertPortsFree(ports: number[]): Promise<void> {
  for (const port of ports) {
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (!free) throw new CliError(`port ${port} is already in use (is an earlier demo still running?)`, EXIT.FAILURE, 'stop an earlier demo with: driftless demo --stop; or pick other ports: driftless demo --ports 9100,9200');
  }
}
