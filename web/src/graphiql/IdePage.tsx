import { useEffect, useMemo, useState } from 'react';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createClient } from 'graphql-ws';
import { apiUrls, tokenStore } from '../session/token-store.js';
import { verifyToken, type SignedInViewer } from '../session/verify-token.js';
import { TokenForm } from './TokenForm.js';

// No comments in it: Monaco's dark theme draws them below WCAG contrast.
const EXAMPLE = `query Applications {
  viewer { name role allApplications applications }
  applications {
    totalCount
    nodes {
      name
      releaseChannels { name dependsOn gates { summary } }
    }
  }
}
`;

type State = { phase: 'checking' } | { phase: 'signed-out'; message?: string } | { phase: 'ready'; token: string; viewer: SignedInViewer };

/**
 * GraphiQL, bundled and served by this server, signed in with the dashboard's token (same
 * browser tab) or one entered here. The token goes in the Authorization header of every request
 * and in the WebSocket's connection parameters; the headers editor stays free for other use.
 */
export function IdePage() {
  const [state, setState] = useState<State>(() => (tokenStore.get() ? { phase: 'checking' } : { phase: 'signed-out' }));
  useEffect(() => {
    document.title = 'GraphQL IDE · Driftless';
    const token = tokenStore.get();
    if (!token) return;
    void verifyToken(token).then((v) => {
      if (v.ok) setState({ phase: 'ready', token, viewer: v.viewer });
      else {
        tokenStore.clear();
        setState({ phase: 'signed-out', message: v.message });
      }
    });
  }, []);

  if (state.phase === 'checking') return <p role="status" className="ide-center">Checking your token…</p>;
  if (state.phase === 'signed-out')
    return (
      <TokenForm
        initialError={state.message}
        onToken={async (token) => {
          const v = await verifyToken(token);
          if (!v.ok) return v.message;
          tokenStore.set(token);
          setState({ phase: 'ready', token, viewer: v.viewer });
          return undefined;
        }}
      />
    );
  return <Ide token={state.token} viewer={state.viewer} onSignOut={() => (tokenStore.clear(), setState({ phase: 'signed-out' }))} />;
}

function Ide({ token, viewer, onSignOut }: { token: string; viewer: SignedInViewer; onSignOut(): void }) {
  const { fetcher, dispose } = useMemo(() => {
    const urls = apiUrls();
    const ws = createClient({ url: urls.ws, connectionParams: { authorization: `Bearer ${token}` }, lazy: true, retryAttempts: 3 });
    return {
      fetcher: createGraphiQLFetcher({ url: urls.http, headers: { authorization: `Bearer ${token}` }, wsClient: ws }),
      dispose: () => void ws.dispose(),
    };
  }, [token]);
  useEffect(() => dispose, [dispose]);
  return (
    <div className="ide">
      <header className="ide-bar">
        <a href="/" className="ide-brand">
          <img src="/favicon.svg" alt="" width={20} height={20} /> Driftless
        </a>
        <h1>GraphQL IDE</h1>
        <span className="ide-hint">Ctrl-Enter runs the query; your token is sent for you. The Docs panel has the schema.</span>
        <span className="ide-who">
          {viewer.name} · {viewer.role}
        </span>
        <a href="/">Dashboard</a>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main className="ide-main">
        <GraphiQL fetcher={fetcher} defaultQuery={EXAMPLE} />
      </main>
    </div>
  );
}
