import { useCallback, useState } from 'react';
import type { ShownError } from '../../ui/UserErrors.js';

interface Outcome {
  errors: ShownError[];
  done?: string;
  busy: boolean;
}

/**
 * Runs a mutation and keeps what the page must say about it: the API's user errors in its own
 * words, a top-level or network error as its message, or a line saying what was done.
 */
export function useAction() {
  const [outcome, setOutcome] = useState<Outcome>({ errors: [], busy: false });
  const run = useCallback(async (call: () => Promise<{ error?: { message: string }; userErrors?: readonly ShownError[] }>, success: string) => {
    setOutcome({ errors: [], busy: true });
    const { error, userErrors } = await call();
    if (error) setOutcome({ errors: [{ message: error.message.replace(/^\[(GraphQL|Network)\] /, '') }], busy: false });
    else if (userErrors?.length) setOutcome({ errors: userErrors.map((e) => ({ message: e.message, code: e.code })), busy: false });
    else setOutcome({ errors: [], busy: false, done: success });
    return !error && !userErrors?.length;
  }, []);
  const clear = useCallback(() => setOutcome({ errors: [], busy: false }), []);
  return { ...outcome, run, clear };
}
