import { promises as fs } from 'node:fs';
import path from 'node:path';
import { findMarked } from './environ.js';
import { logPath, writeRecord, type ReplicaRecord } from './records.js';

/**
 * Intent before side effect (issue 10 point 21): a replica's record is written as an intent
 * (`intent-<id>.json`, pid unknown) before its process starts, and the process carries the
 * intent's marker in its environment. A server killed between starting a replica and recording it
 * leaves an intent behind; the next apply or delete of the instance finds the process by its
 * marker and adopts it (the intent becomes its record), so it is never an unmanaged process that
 * holds the replica's port and survives deleteApplication.
 */

const INTENT = /^intent-(replica-\d+-.+)\.json$/;

function intentFile(dir: string, id: string): string {
  return path.join(dir, `intent-${id}.json`);
}

export async function writeIntent(dir: string, planned: ReplicaRecord): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  const file = intentFile(dir, planned.id);
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, `${JSON.stringify(planned, null, 2)}\n`, { mode: 0o600 });
  await fs.rename(tmp, file);
}

export async function removeIntent(dir: string, id: string): Promise<void> {
  await fs.rm(intentFile(dir, id), { force: true });
}

/**
 * Settles the intents a crash left in `dir`: adopts each replica that started (its record is
 * written from the intent with the pid found), forgets the others. Returns what it did, for the
 * apply message. Reads /proc only when an intent is left, which is only after a crash.
 */
export async function recoverIntents(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const notes: string[] = [];
  for (const name of names) {
    const id = INTENT.exec(name)?.[1];
    if (!id) continue;
    let planned: ReplicaRecord;
    try {
      planned = JSON.parse(await fs.readFile(path.join(dir, name), 'utf8')) as ReplicaRecord;
    } catch {
      await fs.rm(path.join(dir, name), { force: true });
      continue;
    }
    const recorded = await fs
      .access(path.join(dir, `${id}.json`))
      .then(() => true)
      .catch(() => false);
    if (!recorded && planned.marker) {
      const marked = findMarked(planned.marker);
      const leader = marked.find((p) => p.leader);
      if (leader) {
        await writeRecord(dir, { ...planned, pid: leader.pid, pgid: leader.pid, procStartTicks: leader.startTicks });
        notes.push(`adopted replica ${planned.slot} of ${planned.version} (pid ${leader.pid}), started before the server stopped but never recorded`);
      } else {
        // Half-launched (the launching shell, never its replica): end it, nothing serves from it.
        for (const p of marked) {
          try {
            process.kill(p.pid, 'SIGKILL');
          } catch {
            // gone already
          }
        }
        await fs.rm(logPath(dir, id), { force: true });
      }
    }
    await fs.rm(path.join(dir, name), { force: true });
  }
  return notes;
}
