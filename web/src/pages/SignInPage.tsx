import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { KeyRound } from 'lucide-react';
import { useSession } from '../session/session.js';

export function SignInPage({ notice }: { notice?: { tone: 'info' | 'error'; text: string } }) {
  const { signIn } = useSession();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(notice?.tone === 'error' ? notice.text : undefined);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const inputId = useId();
  const helpId = useId();
  const errorId = useId();

  useEffect(() => {
    document.title = 'Sign in · Driftless';
    input.current?.focus();
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    const problem = await signIn(token);
    setBusy(false);
    if (problem) {
      setError(problem);
      input.current?.select();
    }
  };

  return (
    <main id="main" className="center-page">
      <form className="card sign-in" onSubmit={submit} aria-labelledby="sign-in-title" noValidate>
        <div className="sign-in-brand">
          <img src="/favicon.svg" alt="" width={36} height={36} />
          <h1 id="sign-in-title">Sign in to Driftless</h1>
        </div>
        {notice?.tone === 'info' ? (
          <p className="notice" role="status">
            {notice.text}
          </p>
        ) : null}
        <label htmlFor={inputId}>API token</label>
        <input
          id={inputId}
          ref={input}
          type="password"
          name="token"
          autoComplete="off"
          spellCheck={false}
          placeholder="dl_…"
          value={token}
          onChange={(e) => setToken(e.target.value)}
          aria-describedby={`${helpId}${error ? ` ${errorId}` : ''}`}
          aria-invalid={error ? true : undefined}
        />
        {error ? (
          <p className="inline-error" id={errorId} role="alert">
            {error}
          </p>
        ) : null}
        <p className="muted small" id={helpId}>
          The server prints an admin token on its first start; <code>driftless token create</code> makes more. The token stays in this browser tab until you sign out or close it.
        </p>
        <button type="submit" className="button primary" disabled={busy}>
          <KeyRound size={16} aria-hidden /> {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
