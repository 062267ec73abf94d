import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { DeleteContext } from '@driftless/plugin-sdk';
import { recoverIntents } from './intents.js';
import { instanceDir, readRecords } from './records.js';
import { stopReplica } from './replica.js';
import { resolveStateDir, type ProcessConfig } from './schema.js';

/** Stops every replica recorded in `dir` (in parallel) and removes the directory. */
async function stopInstanceDir(dir: string): Promise<number> {
  await recoverIntents(dir); // a replica started just before a crash is stopped too
  const records = await readRecords(dir);
  await Promise.all(records.map((r) => stopReplica(dir, r)));
  await fs.rm(dir, { recursive: true, force: true });
  return records.length;
}

/** The plugin's delete hook: the instance's replicas are stopped and its records and logs removed. */
export async function deleteInstance(ctx: DeleteContext<ProcessConfig>): Promise<void> {
  await stopInstanceDir(instanceDir(resolveStateDir(ctx.config, ctx.dataDir), ctx.instance));
}

/**
 * Stops every replica of every instance under a state dir and removes their records. For tests
 * and for cleaning up a machine; the server never calls it. Returns how many replicas it stopped.
 */
export async function stopAll(stateDir: string): Promise<number> {
  let stopped = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth === 3) {
      stopped += await stopInstanceDir(dir);
      return;
    }
    const entries = await fs.readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) if (e.isDirectory()) await walk(path.join(dir, e.name), depth + 1);
  };
  await walk(path.resolve(stateDir), 0);
  return stopped;
}
