import type { ReactNode } from 'react';

export function Section({ title, id, actions, children, className = '' }: { title: string; id?: string; actions?: ReactNode; children: ReactNode; className?: string }) {
  const headingId = id ? `${id}-title` : undefined;
  return (
    <section className={`card ${className}`} aria-labelledby={headingId} id={id}>
      <div className="card-head">
        <h2 id={headingId}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

/** A query's failure, in the API's words. */
export function QueryError({ error }: { error: { message: string } }) {
  return (
    <div className="inline-error" role="alert">
      <p>{error.message.replace(/^\[(GraphQL|Network)\] /, '')}</p>
    </div>
  );
}
