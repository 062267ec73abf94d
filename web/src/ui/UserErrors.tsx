export interface ShownError {
  message: string;
  code?: string;
}

/** An action's refusal, in the API's own words, next to the button that caused it. */
export function UserErrors({ errors }: { errors: ShownError[] }) {
  if (!errors.length) return null;
  return (
    <div className="inline-error" role="alert">
      {errors.map((e, i) => (
        <p key={i}>
          {e.message}
          {e.code ? <span className="muted"> ({e.code})</span> : null}
        </p>
      ))}
    </div>
  );
}
