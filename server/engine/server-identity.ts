import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

/**
 * The name this server's engine holds leases under. Kept in the data directory, so a restarted
 * server recognises the leases of its previous life and takes them back at once instead of waiting
 * for them to expire. Every replica has its own data directory, and so its own name. Without a
 * data directory (tools, some tests) the name is new for each process.
 */
export function serverIdentity(dataDir: string | undefined): string {
  const fresh = `${hostname()}:${randomBytes(6).toString('hex')}`;
  if (!dataDir) return `${fresh}:${process.pid}`;
  const file = path.join(dataDir, 'server-id');
  try {
    const id = readFileSync(file, 'utf8').trim();
    if (id) return id;
  } catch {
    // first start: written below
  }
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${fresh}\n`, { mode: 0o600 });
  return fresh;
}
