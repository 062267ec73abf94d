/**
 * Stopgap until the API links these itself: events (`data.releaseId`) and the observed state of a
 * runtime (`versions[].version`) name releases by their row id, while the API hands out global ids
 * (base64url of `Release:<row id>`). This is the one place that looks inside a global id; the
 * report for the lead asks for typed `release` fields so this file can go.
 */
export function rowIdOf(globalId: string): string | undefined {
  try {
    const text = atob(globalId.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(globalId.length / 4) * 4, '='));
    const sep = text.indexOf(':');
    return sep > 0 ? text.slice(sep + 1) : undefined;
  } catch {
    return undefined;
  }
}

/** Row id → the release, for the releases a page already has. */
export function releasesByRowId<R extends { id: string }>(releases: Iterable<R>): Map<string, R> {
  const out = new Map<string, R>();
  for (const r of releases) {
    const row = rowIdOf(r.id);
    if (row) out.set(row, r);
  }
  return out;
}
