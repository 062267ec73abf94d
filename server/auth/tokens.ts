import { createHash, randomBytes } from 'node:crypto';

/** Tokens look like `dl_<43 url-safe chars>`; the prefix makes leaked tokens easy to grep for. */
export function generateToken(): string {
  return `dl_${randomBytes(32).toString('base64url')}`;
}

/** Only this hash is stored. sha256 is enough: tokens are 256 random bits, not passwords. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function tokenPrefix(token: string): string {
  return token.slice(0, 10);
}

/** Reads `Authorization: Bearer <token>`; undefined when absent or malformed. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}
