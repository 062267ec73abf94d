import { setTimeout as sleep } from 'node:timers/promises';
import { TerminalError, type TargetState } from '@driftless/plugin-sdk';
import type { SshSession } from './connection.js';
import { isAlive, probeHealth, type HostView } from './host-state.js';
import type { SshSpec } from './parse.js';
import { describe, type RecordedHealthCheck, type ReleaseRecord } from './record.js';
import { deployScript, ENV_FILE, envFile, parseStarted, parseStopped, releaseDir, tailScript } from './remote.js';

const POLL_MS = 100;
const ALIVE_EVERY_MS = 1_000;
/** Without a health check, a process still alive this long after its start counts as started. */
const SETTLE_MS = 300;

/** A deploy step that ran but did not end healthy; carries the host name and the log tail. */
export class DeployFailed extends Error {
  override name = 'DeployFailed';
}

/** The env a release's processes get: target env < spec env < host env < DRIFTLESS_*. */
export function releaseEnv(target: TargetState, spec: SshSpec, host: SshSession['host']): Record<string, string> {
  return { ...target.env, ...spec.env, ...host.env, DRIFTLESS_RELEASE: target.version, DRIFTLESS_HOST: host.name };
}

/** The health check as recorded: a "$PORT" reference resolved against the release env. */
export function recordedHealth(spec: SshSpec, env: Record<string, string>, hostName: string): RecordedHealthCheck | undefined {
  const hc = spec.healthCheck;
  if (!hc) return undefined;
  if (hc.command) return { command: hc.command, timeoutSeconds: hc.timeoutSeconds };
  const ref = hc.http!.port;
  let port = ref;
  if (typeof ref === 'string') {
    const value = env[ref.slice(1)];
    port = Number(value);
    if (value === undefined || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new TerminalError(`healthCheck.http.port ${ref}: ${ref.slice(1)} is ${value === undefined ? 'not set' : `"${value}", not a port`} on host ${hostName}`);
    }
  }
  return { http: { port: port as number, path: hc.http!.path }, timeoutSeconds: hc.timeoutSeconds };
}

async function logTail(session: SshSession, relDir: string): Promise<string> {
  const tail = (await session.script(tailScript(relDir)).catch(() => ({ stdout: '' }))).stdout.trim();
  return tail ? `; last log lines: ${tail.split('\n').join(' | ')}` : '';
}

/**
 * Waits until the recorded process is healthy, bounded by its health timeout (counted from its
 * start) and the signal. Throws DeployFailed with the log tail when it dies or stays unhealthy.
 */
export async function waitHealthy(session: SshSession, record: ReleaseRecord, signal: AbortSignal): Promise<void> {
  const started = Date.parse(record.startedAt);
  const check = record.healthCheck;
  const limit = check ? check.timeoutSeconds * 1000 : SETTLE_MS;
  let checkedAlive = Date.now();
  for (;;) {
    signal.throwIfAborted();
    // Probe first: an HTTP probe rides the open connection, a liveness check costs a round trip
    // (a login shell on the host), so it runs about once a second.
    if (check && (await probeHealth(session, record, 1_000))) return;
    const late = Date.now() - started >= limit;
    if (late || !check || Date.now() - checkedAlive >= ALIVE_EVERY_MS) {
      checkedAlive = Date.now();
      if (!(await isAlive(session, record))) {
        throw new DeployFailed(`${session.host.name}: ${describe(record)} exited during start${await logTail(session, record.releaseDir)}`);
      }
    }
    if (late && !check) return;
    if (late) {
      throw new DeployFailed(`${session.host.name}: ${describe(record)} is not healthy after ${check!.timeoutSeconds}s${await logTail(session, record.releaseDir)}`);
    }
    await sleep(POLL_MS, undefined, { signal });
  }
}

const PID_MARK = 1234567890123;
const TICKS_MARK = 9876543210987;

/** current.json around the two values only the host knows (the pid and its start ticks). */
function recordTemplate(record: ReleaseRecord): [string, string, string] {
  const text = JSON.stringify({ ...record, pid: PID_MARK, procStartTicks: TICKS_MARK });
  const [before, rest] = text.split(String(PID_MARK)) as [string, string];
  const [middle, after] = rest.split(String(TICKS_MARK)) as [string, string];
  return [before, middle, after];
}

/**
 * Deploys the target on one host in one round trip (see deployScript: upload, stop the recorded
 * process, start the new one detached, write current.json), then waits until it is healthy.
 * Returns a one-line summary; throws DeployFailed (with the log tail) when it does not come up.
 */
export async function deployHost(session: SshSession, view: HostView, dir: string, target: TargetState, spec: SshSpec, signal: AbortSignal): Promise<string> {
  const host = session.host;
  const env = releaseEnv(target, spec, host);
  const healthCheck = recordedHealth(spec, env, host.name);
  const relDir = releaseDir(dir, target.version, target.digest);
  const previous = view.kind === 'deployed' ? view.record : undefined;
  const record: ReleaseRecord = {
    version: target.version,
    releaseId: target.releaseId,
    digest: target.digest,
    pid: 0,
    procStartTicks: null,
    startedAt: new Date().toISOString(),
    releaseDir: relDir,
    ...(healthCheck ? { healthCheck } : {}),
    ...(spec.stop ? { stop: spec.stop } : {}),
    stopTimeoutSeconds: spec.stopTimeoutSeconds,
  };
  const script = deployScript({
    dir,
    relDir,
    files: [{ path: ENV_FILE, content: envFile(env), mode: 0o600 }, ...spec.files],
    ...(previous ? { previous: { ...previous, graceSeconds: previous.stopTimeoutSeconds } } : {}),
    keep: previous && previous.releaseDir !== relDir ? [previous.releaseDir] : [],
    start: spec.start,
    record: recordTemplate(record),
  });
  signal.throwIfAborted();
  const res = await session.script(script);
  const started = parseStarted(res.stdout);
  if (res.code !== 0 || !started) {
    const detail = res.stderr.trim().split('\n').slice(-3).join(' / ') || `exit code ${res.code}`;
    throw new DeployFailed(`${host.name}: deploying ${target.version} failed: ${detail}`);
  }
  Object.assign(record, started);
  const stopped = parseStopped(res.stdout);
  await waitHealthy(session, record, signal);
  const replaced = previous && stopped && stopped !== 'none' ? `, ${stopped} ${describe(previous)}` : '';
  return `${host.name}: started ${describe(record)}${replaced}`;
}
