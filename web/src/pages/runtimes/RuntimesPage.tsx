import { Link } from 'wouter';
import { useLiveQuery } from '../../app/live.js';
import { paths } from '../../app/paths.js';
import { PageTitle } from '../../app/Shell.js';
import { RuntimesAndPlugins } from '../../graphql/operations/runtimes.js';
import { JsonView } from '../../ui/JsonView.js';
import { Loading, QueryError, Section } from '../../ui/Section.js';
import { Since } from '../../ui/Time.js';

/** Where services run (config redacted by the API) and which runtime plugins the server loaded or refused. */
export function RuntimesPage() {
  const [{ data, error, fetching }] = useLiveQuery({ query: RuntimesAndPlugins });
  return (
    <div className="page">
      <PageTitle title="Runtimes and plugins" />
      {error ? <QueryError error={error} /> : null}
      {fetching && !data ? <Loading what="runtimes" /> : null}
      {data ? (
        <>
          <Section title="Runtimes" id="runtimes">
            {data.runtimes.length ? (
              <div className="runtime-list">
                {data.runtimes.map((r) => (
                  <article key={r.id} className="runtime" aria-labelledby={`rt-${r.name}`}>
                    <h3 id={`rt-${r.name}`}>
                      {r.name} <span className="muted small">plugin {r.plugin}</span>
                    </h3>
                    <dl className="facts">
                      <div>
                        <dt>Used by</dt>
                        <dd>
                          {r.usedBy.length
                            ? r.usedBy.map((u, n) => {
                                const [app] = u.split('/');
                                return (
                                  <span key={u}>
                                    {n ? ', ' : ''}
                                    <Link href={paths.application(app!)}>{u}</Link>
                                  </span>
                                );
                              })
                            : 'no channel you can see'}
                        </dd>
                      </div>
                      <div>
                        <dt>Labels</dt>
                        <dd>{Object.keys(r.labels).length ? Object.entries(r.labels).map(([k, v]) => `${k}=${String(v)}`).join(', ') : 'none'}</dd>
                      </div>
                      <div>
                        <dt>Changed</dt>
                        <dd>
                          <Since at={r.updatedAt} />
                        </dd>
                      </div>
                    </dl>
                    <JsonView label={`Config of ${r.name}`} value={r.config} />
                  </article>
                ))}
              </div>
            ) : (
              <p className="muted">No runtimes yet: a Runtime document in your config adds one.</p>
            )}
          </Section>
          <Section title="Runtime plugins" id="plugins">
            <div className="table-scroll" tabIndex={0} role="region" aria-label="Runtime plugins">
              <table className="data">
                <caption className="sr-only">Runtime plugins the server discovered</caption>
                <thead>
                  <tr>
                    <th scope="col">Plugin</th>
                    <th scope="col">Package</th>
                    <th scope="col">Version</th>
                    <th scope="col">Status</th>
                    <th scope="col">Why</th>
                  </tr>
                </thead>
                <tbody>
                  {data.runtimePlugins.map((p) => (
                    <tr key={`${p.packageName}-${p.name}`} data-plugin={p.name}>
                      <th scope="row">{p.name}</th>
                      <td>
                        <code>{p.packageName}</code>
                      </td>
                      <td>{p.version}</td>
                      <td>
                        <span className={`badge badge-compact ${p.status === 'LOADED' ? 'tone-ok' : 'tone-bad'}`}>{p.status === 'LOADED' ? 'loaded' : 'refused'}</span>
                      </td>
                      <td>{p.reason ?? <span className="muted">—</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Section>
        </>
      ) : null}
    </div>
  );
}
