import { HostUnreachable, RemoteTimeout, type SshSession } from './connection.js';
import type { Host } from './parse.js';
import { parseRecord, type ReleaseRecord } from './record.js';
import { alive, healthCommandScript, inspectScript, parseInspection, parseProc, procScript, recordPath } from './remote.js';

/** What one host says about one instance right now. */
export type HostView =
  | { host: Host; kind: 'unreachable'; message: string }
  | { host: Host; kind: 'empty' }
  /** current.json exists but is not a record (edited by hand, torn). */
  | { host: Host; kind: 'invalid'; message: string }
  | { host: Host; kind: 'deployed'; record: ReleaseRecord; alive: boolean; healthy: boolean };

/** Short on purpose: fetch runs under a few-second timeout and probes every host. */
export const PROBE_TIMEOUT_MS = 2_000;

export async function isAlive(session: SshSession, record: Pick<ReleaseRecord, 'pid' | 'procStartTicks'>): Promise<boolean> {
  const out = await session.script(procScript(record.pid));
  return alive(parseProc(out.stdout), record.procStartTicks);
}

/** One probe of the record's health check; no check means healthy. */
export async function probeHealth(session: SshSession, record: ReleaseRecord, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  const check = record.healthCheck;
  if (!check) return true;
  if (check.http) {
    const status = await session.httpStatus(check.http.port, check.http.path, timeoutMs);
    return status !== undefined && status >= 200 && status < 300;
  }
  const limit = Math.min(timeoutMs, check.timeoutSeconds * 1000);
  try {
    const res = await session.script(healthCommandScript(record.releaseDir, check.command!, limit / 1000), limit + 1_000);
    return res.code === 0;
  } catch (err) {
    if (err instanceof RemoteTimeout) return false;
    throw err;
  }
}

/** Reads the record, checks the process and its health, in one round trip plus the probe. Reads only: safe for fetch. */
export async function inspect(session: SshSession, dir: string): Promise<HostView> {
  const host = session.host;
  try {
    const seen = parseInspection((await session.script(inspectScript(dir))).stdout);
    if (seen.recordText === undefined || seen.recordText.trim() === '') return { host, kind: 'empty' };
    const record = parseRecord(seen.recordText);
    if ('invalid' in record) return { host, kind: 'invalid', message: `${recordPath(dir)} ${record.invalid} (edited by hand?)` };
    // The script found the pid with sed; should it disagree with the JSON, ask again for the right one.
    const running = seen.proc?.pid === record.pid ? alive(seen.proc.fields, record.procStartTicks) : await isAlive(session, record);
    const healthy = running && (await probeHealth(session, record));
    return { host, kind: 'deployed', record, alive: running, healthy };
  } catch (err) {
    if (err instanceof HostUnreachable) return { host, kind: 'unreachable', message: err.message };
    throw err;
  }
}
