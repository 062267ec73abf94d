import Docker from 'dockerode';
import { RetryableError, TerminalError } from '@driftless/plugin-sdk';
import type { DockerConfig } from './config.js';

/** Connection-level failures: the daemon is down, unreachable or not there (yet). */
const UNREACHABLE = new Set(['ENOENT', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ESOCKETTIMEDOUT', 'ECONNABORTED']);
const TLS_PROBLEM = /certificate|self.signed|SSL|TLS|wrong version number|unable to verify/i;

type EngineError = Error & { code?: string; statusCode?: number; reason?: string; json?: { message?: string } | null; level?: string };

/**
 * One dockerode client per hook call. The options are built field by field so DOCKER_HOST,
 * DOCKER_CERT_PATH and friends in the server's environment never redirect a runtime.
 */
export function connect(config: DockerConfig): Docker {
  const m = config.modem;
  return new Docker({
    socketPath: m.socketPath,
    host: m.host,
    port: m.port,
    protocol: m.protocol,
    username: m.username,
    ca: m.ca,
    cert: m.cert,
    key: m.key,
    sshOptions: m.sshOptions,
  } as Docker.DockerOptions);
}

/** The daemon's own words for a failed request ("No such image: web:2"), without the HTTP noise. */
export function engineMessage(err: unknown): string {
  const e = err as EngineError;
  const fromJson = e.json && typeof e.json === 'object' && typeof e.json.message === 'string' ? e.json.message : undefined;
  const text = fromJson ?? e.message ?? String(err);
  return text.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '').trim();
}

export function statusOf(err: unknown): number | undefined {
  const code = (err as EngineError).statusCode;
  return typeof code === 'number' ? code : undefined;
}

function isAbort(err: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (err as EngineError)?.name === 'AbortError' || (err as EngineError)?.code === 'ABORT_ERR';
}

/**
 * Turns whatever dockerode threw into the contract's typed errors, with a message for a person:
 * an unreachable daemon is retryable ("cannot reach the Docker Engine at unix:///x.sock: ENOENT"),
 * a TLS or SSH handshake refusal is terminal (fix the config), an Engine answer is retryable unless
 * it says the request itself is wrong (400). An abort is rethrown as the signal's reason.
 */
export function typedError(err: unknown, what: string, config: DockerConfig, signal: AbortSignal): Error {
  if (isAbort(err, signal)) return signal.reason instanceof Error ? signal.reason : new Error('aborted');
  if (err instanceof RetryableError || err instanceof TerminalError) return err;
  const e = err as EngineError;
  const status = statusOf(err);
  if (status === undefined) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (e.level === 'client-authentication') {
      return new TerminalError(`${what}: the SSH server of ${config.endpoint} did not accept ssh.privateKey`);
    }
    if (/host key|hostVerifier|Host denied/i.test(e.message ?? '')) {
      return new TerminalError(`${what}: the host key of ${config.endpoint} matches none of ssh.hostKeyFingerprints`);
    }
    if (code && UNREACHABLE.has(code)) {
      const hint = code === 'ENOENT' || code === 'ECONNREFUSED' ? ' (is dockerd running?)' : '';
      return new RetryableError(`cannot reach the Docker Engine at ${config.endpoint}: ${code}${hint}`);
    }
    if (e.level === 'client-timeout' || /timed? ?out/i.test(e.message ?? '')) {
      return new RetryableError(`cannot reach the Docker Engine at ${config.endpoint}: no answer within ${config.requestTimeoutMs / 1000}s`);
    }
    if (TLS_PROBLEM.test(`${code ?? ''} ${e.message ?? ''}`)) {
      return new TerminalError(`TLS with the Docker Engine at ${config.endpoint} failed: ${code ?? e.message} (check tls.ca, tls.cert and tls.key)`);
    }
    return new RetryableError(`${what} at ${config.endpoint} failed: ${code ?? e.message ?? String(err)}`);
  }
  const said = engineMessage(err);
  const typed =
    status === 400
      ? new TerminalError(`${what}: the Docker Engine at ${config.endpoint} refused it: ${said}`)
      : new RetryableError(`${what}: the Docker Engine at ${config.endpoint} answered ${status}: ${said}`);
  return Object.assign(typed, { status });
}

/** The HTTP status of an Engine answer behind a typed error (404: no such container or image). */
export function engineStatus(err: unknown): number | undefined {
  const status = (err as { status?: unknown })?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Runs one Engine call and types its failure (see typedError). The call gets a signal that also
 * aborts after `budgetMs` (default: the request timeout; null: only the hook's own signal), so a
 * daemon that accepts but never answers is a retryable error, not a hung hook.
 */
export async function engine<T>(what: string, config: DockerConfig, signal: AbortSignal, call: (signal: AbortSignal) => Promise<T>, budgetMs: number | null = config.requestTimeoutMs): Promise<T> {
  signal.throwIfAborted();
  const timer = budgetMs === null ? undefined : AbortSignal.timeout(budgetMs);
  try {
    return await call(timer ? AbortSignal.any([signal, timer]) : signal);
  } catch (err) {
    if (timer?.aborted && !signal.aborted) {
      throw new RetryableError(`${what}: the Docker Engine at ${config.endpoint} did not answer within ${Math.round(budgetMs! / 1000)}s`);
    }
    throw typedError(err, what, config, signal);
  }
}
