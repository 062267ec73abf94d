import type { Api } from './api.js';
import type { CliError } from './errors.js';

const INSTANCE_FIELDS = `status statusSince reasons { code message since } service { name } channel { name }
  desiredRelease { id label number } convergedRelease { id label } targetRelease { id label }`;
const INSTANCES = `query Watch($a: String!) { application(name: $a) { releaseChannels { name instances { ${INSTANCE_FIELDS} } } } }`;
const CHANGED = `subscription Changed($a: String!) { serviceInstanceChanged(application: $a) { ${INSTANCE_FIELDS} } }`;

/** Missed subscription payloads are healed by a refetch this often (the socket never acks). */
const REFETCH_MS = 3_000;

export interface Reason {
  code: string;
  message: string;
  since: string;
}

export interface InstanceState {
  channel: { name: string };
  service: { name: string };
  status: string;
  statusSince: string;
  reasons: Reason[];
  desiredRelease: { id: string; label: string; number: number } | null;
  convergedRelease: { id: string; label: string } | null;
  targetRelease: { id: string; label: string } | null;
}

export interface WatchedRelease {
  id: string;
  number: number;
  label: string;
  createdAt: string;
}

export type Verdict = 'converged' | 'failed' | 'superseded' | 'awaiting-approval' | 'in-progress';

/**
 * Where one channel stands for `release` (pure). A status older than the release is what the
 * channel said about an earlier release, so a stale ROLLED_BACK or FAILED does not fail this one.
 */
export function verdictOf(i: InstanceState, release: WatchedRelease): Verdict {
  if (i.desiredRelease && i.desiredRelease.id !== release.id && i.desiredRelease.number > release.number) return 'superseded';
  if (i.status === 'CONVERGED' && i.convergedRelease?.id === release.id) return 'converged';
  const created = Date.parse(release.createdAt);
  const fresh = Date.parse(i.statusSince) >= created || i.reasons.some((r) => Date.parse(r.since) >= created);
  if (fresh && (i.status === 'FAILED' || i.status === 'ROLLED_BACK')) return 'failed';
  if (i.reasons.some((r) => r.code === 'RELEASE_MARKED_BAD' || r.code === 'RELEASE_REJECTED') && fresh) return 'failed';
  if (i.reasons.some((r) => r.code === 'AWAITING_APPROVAL')) return 'awaiting-approval';
  return 'in-progress';
}

export type Outcome = 'converged' | 'failed' | 'timeout';

export interface WatchOptions {
  api: Api;
  application: string;
  service: string;
  release: WatchedRelease;
  timeoutMs: number;
  /** Ends the watch early: the promise rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Every time the picture may have changed (channel order as declared). */
  onUpdate(instances: InstanceState[]): void;
}

/**
 * Follows one release of one service until every channel converges on it (or one fails, or the
 * time is up). Fed by serviceInstanceChanged, with periodic refetches as the safety net.
 */
export function watchRelease(opts: WatchOptions): Promise<{ outcome: Outcome; instances: InstanceState[] }> {
  const { api, application, service, release } = opts;
  const byChannel = new Map<string, InstanceState>();
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (outcome: Outcome | Error) => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(deadline);
      opts.signal?.removeEventListener('abort', onAbort);
      unsubscribe();
      if (outcome instanceof Error) reject(outcome);
      else resolve({ outcome, instances: [...byChannel.values()] });
    };
    const evaluate = () => {
      if (settled) return;
      const instances = [...byChannel.values()];
      opts.onUpdate(instances);
      const verdicts = instances.map((i) => verdictOf(i, release));
      if (verdicts.some((v) => v === 'failed' || v === 'superseded')) finish('failed');
      else if (instances.length && verdicts.every((v) => v === 'converged')) finish('converged');
    };
    const accept = (i: InstanceState) => {
      if (i.service.name !== service) return;
      const known = byChannel.get(i.channel.name);
      // A refetch that raced a newer payload must not move the picture backwards.
      if (known && Date.parse(known.statusSince) > Date.parse(i.statusSince)) return;
      byChannel.set(i.channel.name, i);
    };
    const refetch = async () => {
      try {
        const data = await api.request(INSTANCES, { a: application });
        for (const channel of data.application?.releaseChannels ?? []) {
          for (const i of channel.instances as InstanceState[]) accept(i);
        }
        evaluate();
      } catch (err) {
        finish(err as Error);
      }
    };
    const unsubscribe = api.subscribe<{ serviceInstanceChanged: InstanceState }>(
      CHANGED,
      { a: application },
      (data) => {
        accept(data.serviceInstanceChanged);
        evaluate();
      },
      (err: CliError) => finish(err),
    );
    const poll = setInterval(() => void refetch(), REFETCH_MS);
    const deadline = setTimeout(() => finish('timeout'), opts.timeoutMs);
    const onAbort = () => finish(new Error(`stopped (${String(opts.signal?.reason)})`));
    opts.signal?.addEventListener('abort', onAbort);
    if (opts.signal?.aborted) return onAbort();
    void refetch();
  });
}
