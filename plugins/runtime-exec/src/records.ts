/**
 * The plugin's only memory: what was last applied to each instance, so `fetch` can say which
 * version runs when the user's command reports "changes needed", and `delete` (which gets no
 * target) knows the delete command and the context to run it with. Written only after an apply
 * command exited 0. Holds the target, never the runtime config (no secrets on disk).
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { InstanceIdentity, TargetState } from '@driftless/plugin-sdk';

export interface AppliedRecord {
  target: TargetState;
  appliedAt: string;
}

export function recordPath(stateDir: string, instance: InstanceIdentity): string {
  const part = (s: string) => encodeURIComponent(s);
  return path.join(stateDir, part(instance.application), part(instance.channel), `${part(instance.service)}.json`);
}

export async function readRecord(file: string): Promise<AppliedRecord | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as AppliedRecord;
    return typeof value?.target?.version === 'string' && typeof value.target.spec === 'object' ? value : undefined;
  } catch {
    // A torn or hand-edited record is as good as none: the next successful apply rewrites it.
    return undefined;
  }
}

export async function writeRecord(file: string, target: TargetState, now = new Date()): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const record: AppliedRecord = { target, appliedAt: now.toISOString() };
  await writeFile(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

export async function removeRecord(file: string): Promise<void> {
  await rm(file, { force: true });
}
