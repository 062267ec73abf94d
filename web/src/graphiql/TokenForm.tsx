import { useId, useState, type FormEvent } from 'react';

/** Asks for a token once; it is then kept for this tab, shared with the dashboard. */
export function TokenForm({ onToken, initialError }: { onToken(token: string): Promise<string | undefined>; initialError?: string }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState(initialError);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(await onToken(token.trim().replace(/^Bearer\s+/i, '')));
    setBusy(false);
  };
  return (
    <main className="ide-center">
      <form className="ide-form" onSubmit={submit} aria-labelledby={`${id}-h`}>
        <h1 id={`${id}-h`}>Driftless GraphQL IDE</h1>
        <p>Every request needs an API token. Sign in to the <a href="/">dashboard</a> in this tab, or enter one here.</p>
        <label htmlFor={id}>API token</label>
        <input id={id} type="password" autoComplete="off" spellCheck={false} value={token} onChange={(e) => setToken(e.target.value)} aria-invalid={error ? true : undefined} autoFocus />
        {error ? (
          <p role="alert" className="ide-error">
            {error}
          </p>
        ) : null}
        <button type="submit" disabled={busy || !token.trim()}>
          {busy ? 'Checking…' : 'Open the IDE'}
        </button>
      </form>
    </main>
  );
}
