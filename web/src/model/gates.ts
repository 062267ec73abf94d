/**
 * Where each gate of a channel stands for one instance, and what is left before it opens: the
 * soak's end, the approvals still missing, the window's next opening, how long a check has failed.
 *
 * Derived from what the API has today: the channel's compiled gates, the instance's reasons (every
 * gate that holds an instance back names itself there), the desired release's approvals and the
 * upstream instances of the same service. A `gates` field per instance in the API would make this
 * file a mapping; the lead's report lists it.
 */

export interface GateInput {
  type: string;
  summary: string;
  settings: Record<string, unknown>;
}

export interface ReasonInput {
  code: string;
  message: string;
  since: string;
}

export interface ApprovalInput {
  actor: string;
  channel: string;
  decision: string;
  createdAt: string;
}

/** The same service in a channel this one depends on. */
export interface UpstreamInput {
  channel: string;
  status: string;
  convergedReleaseId?: string | null;
  convergedAt?: string | null;
}

export interface GateContext {
  channel: string;
  status: string;
  reasons: ReasonInput[];
  dependsOn: string[];
  gates: GateInput[];
  desiredReleaseId?: string | null;
  convergedReleaseId?: string | null;
  /** Every decision on the desired release, any channel. */
  approvals: ApprovalInput[];
  upstream: UpstreamInput[];
}

/** open: not holding anything back; waiting: will open by itself or by a person; failing: a check
 * fails now; blocked: this release will not pass here (rejected, marked bad); idle: nothing to gate. */
export type GateState = 'open' | 'waiting' | 'failing' | 'blocked' | 'idle';

export interface GateView {
  key: string;
  type: string;
  summary: string;
  state: GateState;
  /** What is left, in words ("1 of 2 approvals", "next window opens Mon 09:00 Europe/Berlin"). */
  detail?: string;
  /** When the state began (a failing check's first failure). */
  since?: string;
  /** Epoch ms when the gate opens by itself (soak end): the page counts down to it. */
  until?: number;
  approvals?: { done: number; of: number; by: string[] };
}

const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** The latest decision per person in one channel (a rejection replaces that person's approval). */
export function decisionsIn(channel: string, approvals: ApprovalInput[]): { approvers: string[]; rejectedBy?: string } {
  const latest = new Map<string, ApprovalInput>();
  for (const a of approvals) {
    if (a.channel !== channel) continue;
    const prev = latest.get(a.actor);
    if (!prev || prev.createdAt <= a.createdAt) latest.set(a.actor, a);
  }
  const decided = [...latest.values()];
  return { approvers: decided.filter((a) => a.decision === 'APPROVE').map((a) => a.actor), rejectedBy: decided.find((a) => a.decision === 'REJECT')?.actor };
}

export function gateViews(ctx: GateContext): GateView[] {
  const noRelease = !ctx.desiredReleaseId;
  const done = !!ctx.desiredReleaseId && ctx.convergedReleaseId === ctx.desiredReleaseId && ctx.status === 'CONVERGED';
  const reason = (...codes: string[]) => ctx.reasons.find((r) => codes.includes(r.code));
  const reasonAbout = (text: string, ...codes: string[]) => ctx.reasons.find((r) => codes.includes(r.code) && (!text || r.message.includes(text)));
  const out: GateView[] = [];

  if (ctx.dependsOn.length) {
    const waiting = reason('DEPENDENCY_NOT_CONVERGED');
    const bad = ctx.reasons.find((r) => r.code === 'RELEASE_MARKED_BAD' && ctx.dependsOn.some((c) => r.message.includes(` in ${c}`)));
    const view: GateView = { key: 'dependsOn', type: 'dependsOn', summary: `after ${ctx.dependsOn.join(', ')}`, state: 'open' };
    if (noRelease) view.state = 'idle';
    else if (bad) Object.assign(view, { state: 'blocked', detail: bad.message, since: bad.since });
    else if (waiting) Object.assign(view, { state: 'waiting', detail: waiting.message, since: waiting.since });
    out.push(view);
  }

  ctx.gates.forEach((gate, index) => {
    const view: GateView = { key: `${gate.type}-${index}`, type: gate.type, summary: gate.summary, state: noRelease ? 'idle' : 'open' };
    out.push(view);
    if (noRelease) return;
    switch (gate.type) {
      case 'soak': {
        const soaking = reason('SOAKING');
        if (!soaking || done) return;
        const durationMs = num(gate.settings.durationMs, 0);
        const ends = ctx.upstream
          .filter((u) => u.convergedReleaseId === ctx.desiredReleaseId && u.convergedAt)
          .map((u) => Date.parse(u.convergedAt!) + durationMs);
        Object.assign(view, { state: 'waiting', detail: soaking.message, since: soaking.since, until: ends.length ? Math.max(...ends) : undefined });
        return;
      }
      case 'manualApproval': {
        const of = num(gate.settings.minApprovers, 1);
        const { approvers, rejectedBy } = decisionsIn(ctx.channel, ctx.approvals);
        view.approvals = { done: Math.min(approvers.length, of), of, by: approvers };
        const rejected = reason('RELEASE_REJECTED');
        if (rejectedBy || rejected) Object.assign(view, { state: 'blocked', detail: rejected?.message ?? `rejected by ${rejectedBy}`, since: rejected?.since });
        else if (!done && approvers.length < of) Object.assign(view, { state: 'waiting', detail: `${approvers.length} of ${of} approvals`, since: reason('AWAITING_APPROVAL')?.since });
        else view.detail = `${approvers.length} of ${of} approvals`;
        return;
      }
      case 'allowedTimes': {
        const outside = reason('OUTSIDE_ALLOWED_TIMES');
        if (!outside) return;
        const next = outside.message.split('; ').pop();
        Object.assign(view, { state: 'waiting', detail: next && next !== outside.message ? next : outside.message, since: outside.since });
        return;
      }
      case 'alerts': {
        const host = hostOf(str(gate.settings.alertmanager));
        const firing = reason('ALERTS_FIRING') ?? reasonAbout(host, 'CHECK_FAILING');
        if (firing) Object.assign(view, { state: 'failing', detail: firing.message, since: firing.since });
        return;
      }
      case 'httpCheck': {
        const url = str(gate.settings.url);
        const failing = reasonAbout(url, 'CHECK_FAILING');
        const unknown = reasonAbout(url, 'NOT_YET_CHECKED');
        const verifying = reason('VERIFYING');
        if (failing) Object.assign(view, { state: 'failing', detail: failing.message, since: failing.since });
        else if (unknown) Object.assign(view, { state: 'waiting', detail: unknown.message, since: unknown.since });
        else if (verifying) Object.assign(view, { state: 'waiting', detail: verifying.message, since: verifying.since });
        return;
      }
    }
  });
  return out;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

const STATE_WEIGHT: Record<GateState, number> = { blocked: 4, failing: 3, waiting: 2, open: 1, idle: 0 };

/**
 * A channel's gates over all its services: each gate as it stands for the service it holds back
 * most (a failing check beats a wait), naming that service when there are several.
 */
export function channelGateViews(perService: { service: string; views: GateView[] }[]): (GateView & { service?: string })[] {
  const byKey = new Map<string, GateView & { service?: string }>();
  const many = perService.length > 1;
  for (const { service, views } of perService) {
    for (const v of views) {
      const prev = byKey.get(v.key);
      if (!prev || STATE_WEIGHT[v.state] > STATE_WEIGHT[prev.state]) byKey.set(v.key, { ...v, service: many && v.state !== 'open' && v.state !== 'idle' ? service : undefined });
    }
  }
  return [...byKey.values()];
}
