/**
 * The release a host runs for one instance, as written to `current.json` on the host. It is the
 * only memory the plugin has: fetch reports versions from it, and a record edited by hand (another
 * version, another digest, a pid that is not running) reads as drift that apply heals.
 */
export interface RecordedHealthCheck {
  command?: string;
  /** The port resolved at start (a "$PORT" reference becomes a number). */
  http?: { port: number; path: string };
  timeoutSeconds: number;
}

export interface ReleaseRecord {
  /** TargetState.version the process was started for. */
  version: string;
  releaseId: string;
  /** TargetState.digest at start: a different target digest for the same version is drift. */
  digest: string;
  pid: number;
  /** Start time from /proc/PID/stat, to tell our process from a reused pid; null without /proc. */
  procStartTicks: number | null;
  startedAt: string;
  /** Remote directory of the release (files, env file, log). */
  releaseDir: string;
  healthCheck?: RecordedHealthCheck;
  stop?: string;
  stopTimeoutSeconds: number;
}

/** The record, or why the text is not one (one line). */
export function parseRecord(text: string): ReleaseRecord | { invalid: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { invalid: 'is not valid JSON' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { invalid: 'is not a JSON object' };
  const r = raw as Record<string, unknown>;
  for (const key of ['version', 'releaseId', 'digest', 'startedAt', 'releaseDir'] as const) {
    if (typeof r[key] !== 'string' || r[key] === '') return { invalid: `has no ${key}` };
  }
  if (typeof r.pid !== 'number' || !Number.isInteger(r.pid) || r.pid <= 1) return { invalid: 'has no valid pid' };
  if (Number.isNaN(Date.parse(r.startedAt as string))) return { invalid: 'has an invalid startedAt' };
  const ticks = r.procStartTicks;
  return {
    version: r.version as string,
    releaseId: r.releaseId as string,
    digest: r.digest as string,
    pid: r.pid,
    procStartTicks: typeof ticks === 'number' && Number.isInteger(ticks) ? ticks : null,
    startedAt: r.startedAt as string,
    releaseDir: r.releaseDir as string,
    ...(parseHealth(r.healthCheck) ?? {}),
    ...(typeof r.stop === 'string' && r.stop !== '' ? { stop: r.stop } : {}),
    stopTimeoutSeconds: typeof r.stopTimeoutSeconds === 'number' && r.stopTimeoutSeconds > 0 ? r.stopTimeoutSeconds : 10,
  };
}

function parseHealth(value: unknown): { healthCheck: RecordedHealthCheck } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const hc = value as Record<string, unknown>;
  const timeoutSeconds = typeof hc.timeoutSeconds === 'number' && hc.timeoutSeconds > 0 ? hc.timeoutSeconds : 30;
  if (typeof hc.command === 'string') return { healthCheck: { command: hc.command, timeoutSeconds } };
  const http = hc.http as { port?: unknown; path?: unknown } | undefined;
  if (http && typeof http.port === 'number' && typeof http.path === 'string') {
    return { healthCheck: { http: { port: http.port, path: http.path }, timeoutSeconds } };
  }
  return undefined;
}

export function describe(r: Pick<ReleaseRecord, 'version' | 'pid'>): string {
  return `${r.version} (pid ${r.pid})`;
}
