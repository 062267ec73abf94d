import { SessionProvider, useSession } from '../session/session.js';
import { SignInPage } from '../pages/SignInPage.js';
import { SignedIn } from './SignedIn.js';

function Body() {
  const { state } = useSession();
  if (state.phase === 'checking') {
    return (
      <main id="main" className="center-page">
        <p role="status">Checking your token…</p>
      </main>
    );
  }
  // Signed out, every address shows the sign-in page and stays in the address bar: signing in
  // lands where the link pointed.
  if (state.phase === 'signed-out') return <SignInPage notice={state.notice} />;
  return <SignedIn key={state.token} token={state.token} />;
}

export function App() {
  return (
    <SessionProvider>
      <Body />
    </SessionProvider>
  );
}
