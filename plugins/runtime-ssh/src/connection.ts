import ssh2 from 'ssh2';
import type { ClientChannel } from 'ssh2';
import { checkHostKey } from './known-hosts.js';
import type { Host, SshConfig } from './parse.js';

/** Output kept per stream of a remote command; the rest is dropped. */
const MAX_OUTPUT = 256 * 1024;

/**
 * A connection-level failure to one host (refused, timed out, auth or host key rejected, dropped).
 * Its message is one line and never carries key material.
 */
export class HostUnreachable extends Error {
  override name = 'HostUnreachable';
}

/** A remote command ran past its time limit (its channel was closed). */
export class RemoteTimeout extends Error {
  override name = 'RemoteTimeout';
}

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

type SshError = Error & { level?: string; code?: string | number };

function connectError(err: SshError, host: Host, config: SshConfig, hostKeyProblem: string | undefined): HostUnreachable {
  const where = `${host.address}:${host.port}`;
  if (hostKeyProblem) return new HostUnreachable(`cannot connect to ${where}: ${hostKeyProblem}`);
  if (err.level === 'client-authentication') {
    return new HostUnreachable(`authentication as "${config.user}" failed on ${where}: the host did not accept privateKey`);
  }
  if (err.level === 'client-timeout') {
    return new HostUnreachable(`cannot reach host ${where}: no SSH handshake within ${config.connectTimeoutMs / 1000}s`);
  }
  const code = typeof err.code === 'string' ? err.code : err.message.split('\n')[0];
  return new HostUnreachable(`cannot reach host ${where}: ${code}`);
}

/**
 * One SSH connection to one host, for the length of one hook call (never pooled across calls).
 * Every operation rejects promptly when the connection drops or `signal` aborts; an abort also
 * ends the connection. `close()` is idempotent and must always be called.
 */
export class SshSession {
  private closed = false;
  private readonly failures = new Set<(err: Error) => void>();

  private constructor(
    readonly host: Host,
    private readonly client: ssh2.Client,
    private readonly signal: AbortSignal,
  ) {
    const drop = (err: Error) => {
      this.closed = true;
      for (const fail of [...this.failures]) fail(err);
    };
    client.on('error', (err: SshError) => drop(new HostUnreachable(`connection to ${host.address}:${host.port} failed: ${err.code ?? err.message}`)));
    client.on('close', () => drop(new HostUnreachable(`connection to ${host.address}:${host.port} closed`)));
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  private readonly onAbort = () => {
    const reason = this.signal.reason instanceof Error ? this.signal.reason : new Error('aborted');
    for (const fail of [...this.failures]) fail(reason);
    this.close();
  };

  static open(host: Host, config: SshConfig, signal: AbortSignal): Promise<SshSession> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      const client = new ssh2.Client();
      let hostKeyProblem: string | undefined;
      let settled = false;
      const onAbort = () => {
        client.end();
        finish(() => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')));
      };
      const finish = (act: () => void) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        client.removeListener('error', onError);
        act();
      };
      const onError = (err: SshError) => {
        client.end();
        finish(() => reject(connectError(err, host, config, hostKeyProblem)));
      };
      client.once('ready', () => finish(() => resolve(new SshSession(host, client, signal))));
      client.on('error', onError);
      signal.addEventListener('abort', onAbort, { once: true });
      client.connect({
        host: host.address,
        port: host.port,
        username: config.user,
        privateKey: config.privateKey,
        ...(config.passphrase !== undefined ? { passphrase: config.passphrase } : {}),
        readyTimeout: config.connectTimeoutMs,
        hostVerifier: (key: Buffer) => {
          hostKeyProblem = checkHostKey(config.hostKeys, host.address, host.port, key);
          return hostKeyProblem === undefined;
        },
      });
    });
  }

  /** Runs `work` with a rejection hook that fires when the connection drops or the call aborts. */
  private guarded<T>(work: (settle: { resolve: (v: T) => void; reject: (e: Error) => void }) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.signal.aborted) return reject(this.signal.reason instanceof Error ? this.signal.reason : new Error('aborted'));
      if (this.closed) return reject(new HostUnreachable(`connection to ${this.host.address}:${this.host.port} is closed`));
      const fail = (err: Error) => done(() => reject(err));
      let settled = false;
      const done = (act: () => void) => {
        if (settled) return;
        settled = true;
        this.failures.delete(fail);
        act();
      };
      this.failures.add(fail);
      work({ resolve: (v) => done(() => resolve(v)), reject: fail });
    });
  }

  /** Runs a command; `stdin` is written and closed. With timeoutMs, the channel is closed when it runs out. */
  exec(command: string, stdin?: string | Buffer, timeoutMs?: number): Promise<ExecResult> {
    return this.guarded<ExecResult>(({ resolve, reject }) => {
      this.client.exec(command, (err, stream: ClientChannel) => {
        if (err) return reject(new HostUnreachable(`cannot run a command on ${this.host.address}:${this.host.port}: ${err.message}`));
        let stdout = '';
        let stderr = '';
        let code: number | null = null;
        const timer = timeoutMs
          ? setTimeout(() => {
              stream.close();
              reject(new RemoteTimeout(`remote command timed out after ${timeoutMs} ms`));
            }, timeoutMs)
          : undefined;
        stream.on('data', (d: Buffer) => {
          if (stdout.length < MAX_OUTPUT) stdout += d.toString('utf8');
        });
        stream.stderr.on('data', (d: Buffer) => {
          if (stderr.length < MAX_OUTPUT) stderr += d.toString('utf8');
        });
        stream.on('exit', (c: number | null) => (code = c));
        stream.on('close', () => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
        stream.end(stdin ?? '');
      });
    });
  }

  /** Runs a POSIX shell script fed on stdin, so values in it (env) never show on a command line. */
  script(text: string, timeoutMs?: number): Promise<ExecResult> {
    return this.exec('sh -s', text, timeoutMs);
  }

  /**
   * GET http://127.0.0.1:port/path as seen from the host, through the SSH connection (direct-tcpip),
   * so services bound to the host's loopback can be checked. Returns the status, or undefined when
   * nothing answers within timeoutMs.
   */
  httpStatus(port: number, urlPath: string, timeoutMs: number): Promise<number | undefined> {
    return this.guarded<number | undefined>(({ resolve }) => {
      let channel: ClientChannel | undefined;
      const timer = setTimeout(() => {
        channel?.close();
        resolve(undefined);
      }, timeoutMs);
      const answer = (status: number | undefined) => {
        clearTimeout(timer);
        channel?.close();
        resolve(status);
      };
      this.client.forwardOut('127.0.0.1', 0, '127.0.0.1', port, (err, stream) => {
        if (err) return answer(undefined);
        channel = stream;
        let head = '';
        stream.on('data', (d: Buffer) => {
          head += d.toString('latin1');
          const line = head.indexOf('\r\n');
          if (line >= 0 || head.length > 4096) answer(Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(head)?.[1]) || undefined);
        });
        stream.on('close', () => answer(Number(/^HTTP\/\d(?:\.\d)? (\d{3})/.exec(head)?.[1]) || undefined));
        stream.on('error', () => answer(undefined));
        stream.write(`GET ${urlPath} HTTP/1.0\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`);
      });
    });
  }

  close(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    if (this.closed) return;
    this.closed = true;
    this.client.end();
  }
}
