/**
 * The engines of this process, by owner name, and the instances each is ticking now. A removal
 * recorded by the API asks here whether a tick of the instance may be starting its first replica
 * (only the owner can know); an owner in another process is asked nothing and presumed busy.
 */
const engines = new Map<string, ReadonlySet<string>>();

export function registerLocalEngine(owner: string, ticking: ReadonlySet<string>): () => void {
  engines.set(owner, ticking);
  return () => {
    if (engines.get(owner) === ticking) engines.delete(owner);
  };
}

/** true / false when the owner runs in this process; undefined when it does not. */
export function tickingHere(owner: string, instanceId: string): boolean | undefined {
  return engines.get(owner)?.has(instanceId);
}
