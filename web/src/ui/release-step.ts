interface Steps {
  status?: string;
  convergedRelease?: { id: string; label: string } | null;
  targetRelease?: { id: string; label: string } | null;
  desiredRelease?: { id: string; label: string } | null;
}

/**
 * The release an instance heads for next: the target while a rollout (or a rollback) is under
 * way, else the desired release waiting at the gates. None after a rollback: the desired release
 * was marked bad there and will not start until a newer one exists.
 */
export function nextRelease(i: Steps): { id: string; label: string } | null | undefined {
  if (i.status === 'ROLLED_BACK') return i.convergedRelease;
  const moving = i.targetRelease && i.targetRelease.id !== i.convergedRelease?.id;
  return moving ? i.targetRelease : (i.desiredRelease ?? i.targetRelease);
}

/** "v1 → v2" while an instance moves between releases, "v2" once there, "no release" before the first. */
export function releaseStep(i: Steps): string {
  const running = i.convergedRelease?.label;
  const next = nextRelease(i)?.label;
  if (!running && !next) return 'no release';
  if (!running) return `→ ${next}`;
  if (!next || next === running) return running;
  return `${running} → ${next}`;
}
