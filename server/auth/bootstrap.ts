import type { EntityManager } from '@mikro-orm/core';
import { ApiTokenRow } from '../store/entities/index.js';
import { generateToken, hashToken, tokenPrefix } from './tokens.js';

/**
 * Makes sure an admin can get in. With DRIFTLESS_ADMIN_TOKEN that token exists (created if
 * missing). Otherwise, on an empty token table only, a new admin token is created and returned so
 * the caller prints it once; it is never shown again.
 */
export async function ensureAdminToken(em: EntityManager, configured: string | undefined): Promise<{ printed?: string }> {
  if (configured) {
    const tokenHash = hashToken(configured);
    const existing = await em.findOne(ApiTokenRow, { tokenHash });
    if (!existing) {
      em.create(ApiTokenRow, { name: 'admin', tokenHash, prefix: tokenPrefix(configured), role: 'admin', applications: null, createdBy: 'DRIFTLESS_ADMIN_TOKEN' });
      await em.flush();
    }
    return {};
  }
  if ((await em.count(ApiTokenRow)) > 0) return {};
  const token = generateToken();
  em.create(ApiTokenRow, { name: 'admin', tokenHash: hashToken(token), prefix: tokenPrefix(token), role: 'admin', applications: null, createdBy: 'first start' });
  await em.flush();
  return { printed: token };
}
