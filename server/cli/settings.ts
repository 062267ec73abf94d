import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';
import { CliError, EXIT } from './errors.js';

export const DEFAULT_URL = 'http://127.0.0.1:4000';

/** What `driftless login` stores. The token is a secret: the file is written with mode 0600. */
export interface SavedSettings {
  url?: string;
  token?: string;
}

/** `config.json` in the user's config directory (Linux: $XDG_CONFIG_HOME/driftless). */
export function settingsFile(): string {
  return path.join(envPaths('driftless', { suffix: '' }).config, 'config.json');
}

export function readSettings(file = settingsFile()): SavedSettings {
  if (!existsSync(file)) return {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!parsed || typeof parsed !== 'object') throw new Error('not a JSON object');
    const { url, token } = parsed as Record<string, unknown>;
    return { url: typeof url === 'string' ? url : undefined, token: typeof token === 'string' ? token : undefined };
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as Error).message}`, EXIT.USAGE, 'fix or delete the file, or run `driftless login` again');
  }
}

export function writeSettings(settings: SavedSettings, file = settingsFile()): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an existing file keeps its old mode otherwise
}

export interface Connection {
  /** Base URL without `/graphql`. */
  url: string;
  token?: string;
  /** Where the token came from, for error hints. */
  tokenSource: 'flag' | 'env' | 'config' | 'none';
}

/** Flags beat the environment, which beats the config file, which beats the default URL. */
export function resolveConnection(flags: { server?: string; token?: string }, env: NodeJS.ProcessEnv = process.env): Connection {
  const saved = flags.server && flags.token ? {} : readSettings();
  const url = normalizeUrl(flags.server ?? (env.DRIFTLESS_URL || undefined) ?? saved.url ?? DEFAULT_URL);
  const [token, tokenSource] = flags.token
    ? [flags.token, 'flag' as const]
    : env.DRIFTLESS_TOKEN
      ? [env.DRIFTLESS_TOKEN, 'env' as const]
      : saved.token
        ? [saved.token, 'config' as const]
        : [undefined, 'none' as const];
  return { url, token, tokenSource };
}

/** Accepts `host:port`, `http://host:port` or the full `/graphql` endpoint. */
export function normalizeUrl(raw: string): string {
  let text = raw.trim();
  if (!/^[a-z]+:\/\//i.test(text)) text = `http://${text}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CliError(`not a server URL: "${raw}"`, EXIT.USAGE, 'use e.g. --server http://127.0.0.1:4000');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`not an http(s) URL: "${raw}"`, EXIT.USAGE, 'use e.g. --server http://127.0.0.1:4000');
  return `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/graphql$/, '')}`;
}
