import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { rowIdOf } from '../model/release-ids.js';

/**
 * Messages from the engine and the runtime plugins name releases by their row id ("applying
 * 5dc3b706-…"); people know them as v2. Every release a page has loaded is remembered here, and
 * `useHumanize` swaps the ids it knows for labels. Until the API's messages use labels themselves
 * (see the report), this keeps raw ids off the screen.
 *
 * Pages register their releases while they render (before their children), so the children see
 * the labels in the same pass; components are told to render again only when one of them met an
 * id that was not known yet. On a page of 500 instances that is the difference between one render
 * and two.
 */
const labels = new Map<string, string>();
const listeners = new Set<() => void>();
let version = 0;
let missed = false;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Adds labels; true when something new was learnt. Never notifies (it runs during render). */
export function rememberReleases(releases: Iterable<{ id: string; label: string } | null | undefined>): boolean {
  let changed = false;
  for (const r of releases) {
    if (!r) continue;
    const row = rowIdOf(r.id);
    if (row && labels.get(row) !== r.label) {
      labels.set(row, r.label);
      changed = true;
    }
  }
  return changed;
}

function notifyIfMissed(): void {
  if (!missed) return;
  missed = false;
  version++;
  for (const l of listeners) l();
}

export function humanize(text: string): string {
  return text.replace(UUID, (id) => {
    const label = labels.get(id.toLowerCase());
    if (label === undefined) missed = true;
    return label ?? id;
  });
}

function subscribe(onChange: () => void): () => void {
  listeners.add(onChange);
  return () => listeners.delete(onChange);
}

const snapshot = () => version;

/** `humanize`, re-rendering the caller when labels it lacked become known. */
export function useHumanize(): (text: string) => string {
  useSyncExternalStore(subscribe, snapshot);
  return humanize;
}

/** Remembers the releases a page loaded: during render, and tells late readers after it. */
export function useRememberReleases(releases: ({ id: string; label: string } | null | undefined)[] | undefined): void {
  const learnt = useMemo(() => (releases ? rememberReleases(releases) : false), [releases]);
  useEffect(() => {
    if (learnt) notifyIfMissed();
  }, [learnt, releases]);
}
