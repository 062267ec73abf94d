import type { Role } from '../store/entities/index.js';

/** Who is calling: the token behind the request, with its role and application scope. */
export interface Viewer {
  tokenId: string;
  tokenName: string;
  role: Role;
  /** null: all applications. */
  applications: string[] | null;
}

export type Action =
  | 'read'
  | 'config:write' // applyConfig, deleteApplication, deleteRuntime
  | 'release:write' // createRelease, approve/reject, pause/resume, rollback
  | 'token:write';

const RIGHTS: Record<Role, ReadonlySet<Action>> = {
  admin: new Set<Action>(['read', 'config:write', 'release:write', 'token:write']),
  deployer: new Set<Action>(['read', 'release:write']),
  viewer: new Set<Action>(['read']),
};

export function hasRight(viewer: Viewer, action: Action): boolean {
  return RIGHTS[viewer.role].has(action);
}

/** Whether the token's application scope includes this application. */
export function canSeeApplication(viewer: Viewer, applicationName: string): boolean {
  return viewer.applications === null || viewer.applications.includes(applicationName);
}

/** Shared objects (runtimes, tokens) can only be changed by tokens without an application scope. */
export function isUnscoped(viewer: Viewer): boolean {
  return viewer.applications === null;
}

/** The actor name recorded in events. */
export function actorName(viewer: Viewer): string {
  return `token:${viewer.tokenName}`;
}
