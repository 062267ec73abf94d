import { useEffect, useSyncExternalStore } from 'react';
import { rowIdOf } from '../model/release-ids.js';

/**
 * Messages from the engine and the runtime plugins name releases by their row id ("applying
 * 5dc3b706-…"); people know them as v2. Every release a page has loaded is remembered here, and
 * `useHumanize` swaps the ids it knows for labels. Until the API's messages use labels themselves
 * (see the report), this keeps raw ids off the screen.
 */
const labels = new Map<string, string>();
const listeners = new Set<() => void>();
let version = 0;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

export function rememberReleases(releases: Iterable<{ id: string; label: string } | null | undefined>): void {
  let changed = false;
  for (const r of releases) {
    if (!r) continue;
    const row = rowIdOf(r.id);
    if (row && labels.get(row) !== r.label) {
      labels.set(row, r.label);
      changed = true;
    }
  }
  if (changed) {
    version++;
    for (const l of listeners) l();
  }
}

export function humanize(text: string): string {
  return text.replace(UUID, (id) => labels.get(id.toLowerCase()) ?? id);
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  return () => listeners.delete(onChange);
}

const snapshot = () => version;

/** `humanize`, re-rendering the caller when new labels become known. */
export function useHumanize(): (text: string) => string {
  useSyncExternalStore(subscribe, snapshot);
  return humanize;
}

/** Remembers the releases a page loaded (after render, so no component updates during another's render). */
export function useRememberReleases(releases: ({ id: string; label: string } | null | undefined)[] | undefined): void {
  useEffect(() => {
    if (releases) rememberReleases(releases);
  }, [releases]);
}
