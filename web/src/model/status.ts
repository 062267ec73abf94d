/**
 * Convergence statuses as people read them. Pure (no React, no DOM): the dashboard and its unit
 * tests share it. Statuses arrive as strings so that one the API adds later (say DEGRADED) still
 * sorts as "needs attention" instead of breaking the page; the web typecheck then asks for its
 * label through STATUS_TEXT in ui/status-style.ts.
 */

/** Worst first: what a pipeline chip or an application card shows when its instances disagree. */
const SEVERITY: Record<string, number> = {
  FAILED: 90,
  DEGRADED: 85,
  ROLLING_BACK: 80,
  ROLLED_BACK: 70,
  PAUSED: 50,
  WAITING: 40,
  CONVERGING: 30,
  PENDING: 20,
  CONVERGED: 0,
};

/** Unknown (newer) statuses rank just below FAILED: someone should look at them. */
export function severity(status: string): number {
  return SEVERITY[status] ?? 85;
}

export function worstStatus(statuses: Iterable<string>): string | undefined {
  let worst: string | undefined;
  for (const s of statuses) if (worst === undefined || severity(s) > severity(worst)) worst = s;
  return worst;
}

/** Counts per status, worst first, for "3 converged · 1 waiting" summaries. */
export function countByStatus(statuses: Iterable<string>): { status: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([status, count]) => ({ status, count })).sort((a, b) => severity(b.status) - severity(a.status));
}

/** "AWAITING_APPROVAL" → "awaiting approval": reason codes read as words where a message is missing. */
export function codeWords(code: string): string {
  return code.toLowerCase().replace(/_/g, ' ');
}

/** Reasons that wait on a person, not on the engine: they sort first on the overview. */
export const NEEDS_PEOPLE = new Set(['AWAITING_APPROVAL']);
