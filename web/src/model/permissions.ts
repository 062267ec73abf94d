/**
 * What a token's role may do, mirroring the server's rights (server/auth/viewer.ts): the page shows
 * only the actions the server would accept. The server still decides; a refused action shows its
 * user error inline.
 */
export interface Abilities {
  approve: boolean;
  reject: boolean;
  rollback: boolean;
  pause: boolean;
  resume: boolean;
  /** The admin's gate bypass (coming with the delivery-safety API). */
  bypassGate: boolean;
}

export function abilitiesOf(role: string | undefined): Abilities {
  const release = role === 'admin' || role === 'deployer';
  return { approve: release, reject: release, rollback: release, pause: release, resume: release, bypassGate: role === 'admin' };
}

export const anyAbility = (a: Abilities) => Object.values(a).some(Boolean);
