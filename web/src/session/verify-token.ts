import { apiUrls } from './token-store.js';

export interface SignedInViewer {
  name: string;
  role: string;
  /** True: every application (applications is then empty). */
  allApplications: boolean;
  applications: string[];
}

export type Verified = { ok: true; viewer: SignedInViewer } | { ok: false; message: string };

const VIEWER = 'query Viewer { viewer { name role allApplications applications } }';

/**
 * Asks the API who a token belongs to. A refused token comes back as the server's own reason
 * ("invalid token", 'token "ci" was revoked'), which the sign-in page shows as it is.
 */
export async function verifyToken(token: string): Promise<Verified> {
  let res: Response;
  try {
    res = await fetch(apiUrls().http, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: VIEWER, operationName: 'Viewer' }),
    });
  } catch {
    return { ok: false, message: 'Cannot reach the Driftless server. Is it running?' };
  }
  const body = (await res.json().catch(() => undefined)) as { data?: { viewer?: SignedInViewer }; errors?: { message: string }[] } | undefined;
  if (res.status === 401) return { ok: false, message: `The server refused this token: ${body?.errors?.[0]?.message ?? 'unauthenticated'}.` };
  if (!res.ok || !body?.data?.viewer) return { ok: false, message: `The server answered ${res.status}: ${body?.errors?.[0]?.message ?? 'no viewer'}.` };
  return { ok: true, viewer: body.data.viewer };
}
