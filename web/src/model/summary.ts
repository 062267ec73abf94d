/**
 * One application at a glance: the worst status per channel and overall, counts by status, and
 * what waits on a person (approvals), which the overview lists first.
 */
import { countByStatus, NEEDS_PEOPLE, worstStatus } from './status.js';

export interface SummaryInstance {
  status: string;
  reasons: { code: string; message: string; since: string }[];
  service: { name: string };
  desiredRelease?: { label: string } | null;
}

export interface SummaryChannel {
  name: string;
  dependsOn: string[];
  instances: SummaryInstance[];
}

export interface WaitingOnPeople {
  channel: string;
  service: string;
  release?: string;
  message: string;
  since: string;
}

export interface ApplicationSummary {
  worst?: string;
  counts: { status: string; count: number }[];
  channels: { name: string; worst?: string; total: number; notConverged: number }[];
  waitingOnPeople: WaitingOnPeople[];
  instances: number;
}

export function summarize(channels: SummaryChannel[]): ApplicationSummary {
  const all = channels.flatMap((c) => c.instances);
  const waitingOnPeople: WaitingOnPeople[] = [];
  for (const c of channels)
    for (const i of c.instances)
      for (const r of i.reasons)
        if (NEEDS_PEOPLE.has(r.code)) waitingOnPeople.push({ channel: c.name, service: i.service.name, release: i.desiredRelease?.label, message: r.message, since: r.since });
  return {
    worst: worstStatus(all.map((i) => i.status)),
    counts: countByStatus(all.map((i) => i.status)),
    channels: channels.map((c) => ({ name: c.name, worst: worstStatus(c.instances.map((i) => i.status)), total: c.instances.length, notConverged: c.instances.filter((i) => i.status !== 'CONVERGED').length })),
    waitingOnPeople,
    instances: all.length,
  };
}
