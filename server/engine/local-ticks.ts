/**
 * The engines of this process, by owner name, and the instances each is ticking now (or whose
 * last apply no row records yet: its outcome was refused). A removal
 * recorded by the API asks here whether a tick of the instance may be starting its first replica
 * (only the owner can know); an owner in another process is asked nothing and presumed busy.
 */
/** Whether an instance may be starting or running something that its row does not record yet. */
export interface LocalTicks {
  has(instanceId: string): boolean;
}

const engines = new Map<string, LocalTicks>();

export function registerLocalEngine(owner: string, ticking: LocalTicks): () => void {
  engines.set(owner, ticking);
  return () => {
    if (engines.get(owner) === ticking) engines.delete(owner);
  };
}

/** true / false when the owner runs in this process; undefined when it does not. */
export function tickingHere(owner: string, instanceId: string): boolean | undefined {
  return engines.get(owner)?.has(instanceId);
}
