import type { EntityManager } from '@mikro-orm/core';
import { ApiTokenRow } from '../store/entities/index.js';
import { hashToken } from './tokens.js';
import type { Viewer } from './viewer.js';

export type AuthResult = { ok: true; viewer: Viewer } | { ok: false; reason: string };

/**
 * Resolves a bearer token to a Viewer. Looks the hash up on every request (one indexed read), so a
 * revoked token stops working at once, on every server replica.
 */
export async function authenticate(em: EntityManager, token: string | undefined): Promise<AuthResult> {
  if (!token) return { ok: false, reason: 'missing bearer token: send "Authorization: Bearer <token>"' };
  const row = await em.findOne(ApiTokenRow, { tokenHash: hashToken(token) });
  if (!row) return { ok: false, reason: 'invalid token' };
  if (row.revokedAt) return { ok: false, reason: `token "${row.name}" was revoked` };
  return { ok: true, viewer: { tokenId: row.id, tokenName: row.name, role: row.role, applications: row.applications ?? null } };
}
