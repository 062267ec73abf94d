import { HostUnreachable, SshSession } from './connection.js';
import type { Host, SshConfig } from './parse.js';

export type Reach = { host: Host; session: SshSession; error?: undefined } | { host: Host; session?: undefined; error: HostUnreachable };

/**
 * Connects to every host at once, runs `work`, and closes every connection, whatever happens.
 * A host that cannot be reached is a Reach with an error, never a throw; an abort throws.
 */
export async function withSessions<T>(hosts: Host[], config: SshConfig, signal: AbortSignal, work: (reaches: Reach[]) => Promise<T>): Promise<T> {
  const opened = await Promise.allSettled(hosts.map((host) => SshSession.open(host, config, signal)));
  const reaches: Reach[] = opened.map((o, i) => {
    const host = hosts[i]!;
    if (o.status === 'fulfilled') return { host, session: o.value };
    if (o.reason instanceof HostUnreachable) return { host, error: o.reason };
    return { host, error: new HostUnreachable(`cannot reach host ${host.address}:${host.port}: ${(o.reason as Error)?.message ?? String(o.reason)}`) };
  });
  try {
    signal.throwIfAborted();
    return await work(reaches);
  } finally {
    for (const r of reaches) r.session?.close();
  }
}
