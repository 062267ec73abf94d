import type { EntityManager } from '@mikro-orm/core';
import { generateToken, hashToken, tokenPrefix } from '../auth/tokens.js';
import { actorName, hasRight, isUnscoped, type Viewer } from '../auth/viewer.js';
import { recordEvent } from '../domain/events.js';
import { userError, type UserErrorData } from '../domain/user-error.js';
import { ApiTokenRow, type Role } from '../store/entities/index.js';

const NAME_RULE = /^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,99}$/;

function mayManageTokens(viewer: Viewer): boolean {
  return hasRight(viewer, 'token:write') && isUnscoped(viewer);
}

export type CreateTokenOutcome = { token: ApiTokenRow; secret: string; userErrors: [] } | { token?: undefined; secret?: undefined; userErrors: UserErrorData[] };

export async function createApiToken(em: EntityManager, viewer: Viewer, input: { name: string; role: Role; applications?: string[] | null }): Promise<CreateTokenOutcome> {
  if (!mayManageTokens(viewer)) return { userErrors: [userError('FORBIDDEN', 'managing tokens needs an admin token without an application scope', ['name'])] };
  if (!NAME_RULE.test(input.name)) {
    return { userErrors: [userError('INVALID_INPUT', 'name must be 1-100 characters: letters, digits, space, dot, dash, underscore, @', ['name'])] };
  }
  const applications = input.applications ?? null;
  if (applications && applications.length === 0) {
    return { userErrors: [userError('INVALID_INPUT', 'applications, when given, must name at least one application (omit it for all)', ['applications'])] };
  }
  const secret = generateToken();
  const token = em.create(ApiTokenRow, { name: input.name, tokenHash: hashToken(secret), prefix: tokenPrefix(secret), role: input.role, applications, createdBy: actorName(viewer) });
  recordEvent(em, { type: 'TOKEN_CREATED', actor: actorName(viewer), subject: `ApiToken ${input.name}`, subjectId: token.id, message: `created ${input.role} token "${input.name}"${applications ? ` for ${applications.join(', ')}` : ''}` });
  await em.flush();
  return { token, secret, userErrors: [] };
}

export type RevokeTokenOutcome = { token: ApiTokenRow; userErrors: [] } | { token?: undefined; userErrors: UserErrorData[] };

export async function revokeApiToken(em: EntityManager, viewer: Viewer, id: string): Promise<RevokeTokenOutcome> {
  if (!mayManageTokens(viewer)) return { userErrors: [userError('FORBIDDEN', 'managing tokens needs an admin token without an application scope', ['id'])] };
  const token = await em.findOne(ApiTokenRow, { id });
  if (!token) return { userErrors: [userError('NOT_FOUND', 'no such token', ['id'])] };
  if (!token.revokedAt) {
    token.revokedAt = new Date();
    recordEvent(em, { type: 'TOKEN_REVOKED', actor: actorName(viewer), subject: `ApiToken ${token.name}`, subjectId: token.id, message: `revoked token "${token.name}"` });
    await em.flush();
  }
  return { token, userErrors: [] };
}
