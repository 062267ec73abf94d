import { useEffect, useRef, useState } from 'react';
import { Provider } from 'urql';
import { createDashboardClient } from '../graphql/client.js';
import { useSession } from '../session/session.js';
import { LiveProvider, type LiveState } from './live.js';
import { Routes } from './Routes.js';
import { Shell } from './Shell.js';

/** One GraphQL client (and one live socket) per signed-in token; signing out disposes both. */
export function SignedIn({ token }: { token: string }) {
  const { refused } = useSession();
  const [live, setLive] = useState<LiveState>({ connected: false, reconnects: 0 });
  const everConnected = useRef(false);
  const refusedRef = useRef(refused);
  refusedRef.current = refused;
  const create = () =>
    createDashboardClient(token, {
      onRefused: () => refusedRef.current(),
      onLive: (connected) =>
        setLive((s) => {
          const reconnects = connected && everConnected.current ? s.reconnects + 1 : s.reconnects;
          if (connected) everConnected.current = true;
          return { connected, reconnects };
        }),
    });
  // Made during the first render, so the page's first query goes out in the same pass.
  const [connection, setConnection] = useState(create);
  useEffect(() => {
    let current = connection;
    // React's development StrictMode unmounts and mounts once more: the first one was disposed.
    if (current.disposed()) {
      current = create();
      setConnection(current);
    }
    current.connect();
    return () => current.dispose();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- one client per mounted token (SignedIn is keyed by it)
  }, [connection]);
  return (
    <Provider value={connection.client}>
      <LiveProvider value={live}>
        <Shell>
          <Routes />
        </Shell>
      </LiveProvider>
    </Provider>
  );
}
