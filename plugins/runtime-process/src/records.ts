import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { InstanceIdentity } from '@driftless/plugin-sdk';
import type { HealthCheck } from './schema.js';

/**
 * One started replica, as written to `<stateDir>/<application>/<channel>/<service>/<id>.json`.
 * The state dir is the only memory this plugin has: it tags each process with the release it was
 * started for (so fetch reports versions truthfully) and lets a restarted server re-adopt running
 * processes instead of starting duplicates.
 */
export interface ReplicaRecord {
  /** File stem, also the stem of the replica's log file. */
  id: string;
  slot: number;
  /** TargetState.version the replica was started for. */
  version: string;
  releaseId: string;
  /** TargetState.digest at start: a different target digest for the same version means drift. */
  digest: string;
  pid: number;
  /** Process group (== pid: replicas are started detached, as session leaders). */
  pgid: number;
  /** Start time from /proc/PID/stat (clock ticks since boot), to tell our process from a reused pid. */
  procStartTicks: number | null;
  port: number;
  startedAt: string;
  command: string;
  args: string[];
  cwd: string;
  healthCheck?: HealthCheck;
  /** Set when apply gave up on the replica (never healthy, exited during start); it is stopped then. */
  failure?: string;
  /** When apply saw it healthy for the first time (ISO). */
  readyAt?: string;
  /** Value of DRIFTLESS_REPLICA in its environment: finds it again after a crash (intents.ts). */
  marker?: string;
  /** The OS account it runs as, when not the server's own. */
  user?: string;
}

const RECORD = /^replica-\d+-.+\.json$/;

/** Keeps a name usable as one path segment: no separators, no `..`. */
function segment(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '.' || safe === '..' || safe === '' ? `_${safe}` : safe;
}

export function instanceDir(stateDir: string, instance: Pick<InstanceIdentity, 'application' | 'channel' | 'service'>): string {
  return path.join(stateDir, segment(instance.application), segment(instance.channel), segment(instance.service));
}

/** `replica-<slot>-<version>-<random>`: readable in `ls`, unique across restarts of the same slot. */
export function newRecordId(slot: number, version: string): string {
  return `replica-${slot}-${segment(version).slice(0, 40)}-${randomBytes(3).toString('hex')}`;
}

export function logPath(dir: string, id: string): string {
  return path.join(dir, `${id}.log`);
}

/** Every record of an instance, oldest first. A missing directory is an instance with no replicas. */
export async function readRecords(dir: string): Promise<ReplicaRecord[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const records: ReplicaRecord[] = [];
  for (const name of names.filter((n) => RECORD.test(n))) {
    try {
      records.push(JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as ReplicaRecord);
    } catch {
      // Removed meanwhile, or a torn file from a crash mid-write (writes are rename-atomic, so rare):
      // skip it rather than fail the whole instance.
    }
  }
  return records.sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.slot - b.slot);
}

/** Write-then-rename, so a reader never sees half a record. */
export async function writeRecord(dir: string, record: ReplicaRecord): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, `${record.id}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await fs.rename(tmp, file);
}

/** Drops a record and its log. With keepLogAs, the log is kept under that name (last crash of a slot). */
export async function removeRecord(dir: string, record: ReplicaRecord, keepLogAs?: string): Promise<void> {
  await fs.rm(path.join(dir, `${record.id}.json`), { force: true });
  const log = logPath(dir, record.id);
  if (keepLogAs) await fs.rename(log, path.join(dir, keepLogAs)).catch(() => undefined);
  else await fs.rm(log, { force: true });
}

const RESTARTS = 'restarts.json';

/** Restarts after a crash, per version, as counted by apply (reported by fetch as `restarts`). */
export async function readRestarts(dir: string): Promise<Record<string, number>> {
  try {
    return JSON.parse(await fs.readFile(path.join(dir, RESTARTS), 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

/** Counts `crashes` more for `version`; versions not in `keep` are forgotten (they run no more). */
export async function countRestarts(dir: string, version: string, crashes: number, keep: Iterable<string>): Promise<void> {
  const counts = await readRestarts(dir);
  const kept = new Set(keep);
  const next: Record<string, number> = {};
  for (const [v, n] of Object.entries(counts)) if (kept.has(v)) next[v] = n;
  next[version] = (counts[version] ?? 0) + crashes;
  await fs.mkdir(dir, { recursive: true });
  const file = path.join(dir, RESTARTS);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(next)}\n`, { mode: 0o600 });
  await fs.rename(tmp, file);
}
