import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { tokenStore } from './token-store.js';
import { verifyToken, type SignedInViewer } from './verify-token.js';

export type SessionState =
  | { phase: 'checking' }
  | { phase: 'signed-out'; notice?: { tone: 'info' | 'error'; text: string } }
  | {
      phase: 'signed-in';
      token: string;
      /** Unknown for a moment after a reload: pages load their data meanwhile instead of waiting for it. */
      viewer?: SignedInViewer;
      /** Just signed in on the page (not restored from the session). */
      fresh?: boolean;
    };

interface SessionApi {
  state: SessionState;
  /** Resolves to the reason when the server refuses the token; signs in otherwise. */
  signIn(token: string): Promise<string | undefined>;
  signOut(): void;
  /** The API refused the token mid-session: find out why, then back to the sign-in page. */
  refused(): void;
}

const SessionContext = createContext<SessionApi | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  // A token kept from earlier in this tab is used at once; who it belongs to arrives alongside
  // the page's first data, and a refusal ends the session like any other.
  const [state, setState] = useState<SessionState>(() => {
    const token = tokenStore.get();
    return token ? { phase: 'signed-in', token } : { phase: 'signed-out' };
  });

  useEffect(() => {
    const token = tokenStore.get();
    if (!token) return;
    let cancelled = false;
    void verifyToken(token).then((v) => {
      if (cancelled) return;
      if (v.ok) setState((s) => (s.phase === 'signed-in' && s.token === token ? { ...s, viewer: v.viewer } : s));
      else {
        tokenStore.clear();
        setState({ phase: 'signed-out', notice: { tone: 'error', text: v.message } });
      }
    });
    return () => {
      cancelled = true;
    };
  }, []);

  const signIn = useCallback(async (raw: string) => {
    const token = raw.trim().replace(/^Bearer\s+/i, '');
    if (!token) return 'Enter an API token.';
    const v = await verifyToken(token);
    if (!v.ok) return v.message;
    tokenStore.set(token);
    setState({ phase: 'signed-in', token, viewer: v.viewer, fresh: true });
    return undefined;
  }, []);

  const signOut = useCallback(() => {
    tokenStore.clear();
    setState({ phase: 'signed-out', notice: { tone: 'info', text: 'Signed out. The token was removed from this browser tab.' } });
  }, []);

  const refused = useCallback(() => {
    const token = tokenStore.get();
    tokenStore.clear();
    setState((s) => (s.phase === 'signed-in' ? { phase: 'checking' } : s));
    void (token ? verifyToken(token) : Promise.resolve({ ok: false as const, message: 'The server refused this token.' })).then((v) =>
      setState({ phase: 'signed-out', notice: { tone: 'error', text: v.ok ? 'The server closed the session. Sign in again.' : `${v.message} Sign in again.` } }),
    );
  }, []);

  const api = useMemo(() => ({ state, signIn, signOut, refused }), [state, signIn, signOut, refused]);
  return <SessionContext.Provider value={api}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionApi {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside SessionProvider');
  return s;
}

/** The signed-in viewer (undefined for a moment after a reload); only inside the signed-in part of the app. */
export function useViewer(): SignedInViewer | undefined {
  const { state } = useSession();
  if (state.phase !== 'signed-in') throw new Error('useViewer while signed out');
  return state.viewer;
}
