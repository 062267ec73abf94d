/**
 * Collects what each gate says during one evaluation. Every waiting reason is kept (not only the
 * first) so a status answers "why" completely; any failure wins over all waits.
 */
import type { GateReason, GateVerdict } from './types.js';

export class VerdictBuilder {
  private readonly fails: GateReason[] = [];
  private readonly waits: GateReason[] = [];
  /** Gate key → satisfied so far. One unsatisfied gate with a key makes that key unsatisfied. */
  private readonly keys = new Map<string, boolean>();
  private recheck: number | undefined;
  /** Gate key → what it said, for people: open, waiting with why, failing with why. */
  private readonly said = new Map<string, { state: 'open' | 'waiting' | 'failing'; message?: string }>();

  constructor(private readonly now: number) {}

  pass(key: string): void {
    if (!this.keys.has(key)) this.keys.set(key, true);
    if (!this.said.has(key)) this.said.set(key, { state: 'open' });
  }

  wait(key: string, reason: GateReason): void {
    this.keys.set(key, false);
    this.waits.push(reason);
    if (this.said.get(key)?.state !== 'failing') this.said.set(key, { state: 'waiting', message: reason.message });
  }

  /** Unsatisfied, with the reason already given by another gate (never the only reason). */
  block(key: string): void {
    this.keys.set(key, false);
  }

  fail(key: string, reason: GateReason): void {
    this.keys.set(key, false);
    this.fails.push(reason);
    this.said.set(key, { state: 'failing', message: reason.message });
  }

  /** Per gate key, what it says now (for status pages; not part of the decision). */
  details(): { key: string; state: 'open' | 'waiting' | 'failing'; message?: string }[] {
    return [...this.said].map(([key, v]) => ({ key, ...v }));
  }

  /** A moment when the verdict may change by itself; only future moments matter. */
  recheckAt(at: number | undefined): void {
    if (at === undefined || at <= this.now) return;
    if (this.recheck === undefined || at < this.recheck) this.recheck = at;
  }

  build(): GateVerdict {
    if (this.fails.length) return { decision: 'fail', reasons: this.fails };
    const satisfied = [...this.keys].filter(([, ok]) => ok).map(([key]) => key);
    if (!this.waits.length) return { decision: 'open', satisfied };
    const verdict: GateVerdict = { decision: 'wait', reasons: this.waits, satisfied };
    if (this.recheck !== undefined) verdict.recheckAt = this.recheck;
    return verdict;
  }
}
