/** "v1 → v2" while an instance moves between releases, "v2" once there, "no release" before the first. */
export function releaseStep(i: { convergedRelease?: { label: string } | null; targetRelease?: { label: string } | null; desiredRelease?: { label: string } | null }): string {
  const running = i.convergedRelease?.label;
  const target = i.targetRelease?.label ?? i.desiredRelease?.label;
  if (!running && !target) return 'no release';
  if (!running) return `→ ${target}`;
  if (!target || target === running) return running;
  return `${running} → ${target}`;
}
