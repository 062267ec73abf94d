import { releasesByRowId } from '../../model/release-ids.js';
import { useHumanize } from '../../ui/release-labels.js';

interface ObservedVersion {
  version: string;
  replicas: number;
  availableReplicas: number;
  active: boolean;
  drifted: boolean;
  restarts?: number;
}
interface ObservedObject {
  name: string;
  status: string;
  message?: string;
  versions: ObservedVersion[];
}

function objectsOf(observed: unknown): ObservedObject[] | undefined {
  const o = observed as { objects?: unknown } | null | undefined;
  return Array.isArray(o?.objects) ? (o.objects as ObservedObject[]) : undefined;
}

/** What the runtime plugin last reported: each object, the releases running in it, their replicas. */
export function ObservedTable({ observed, releases }: { observed: unknown; releases: { id: string; label: string }[] }) {
  const objects = objectsOf(observed);
  const humanize = useHumanize();
  if (!objects) return <p className="muted">The runtime has not reported on this instance yet.</p>;
  if (!objects.length) return <p className="muted">Nothing runs for this instance.</p>;
  const byRow = releasesByRowId(releases);
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Observed objects">
      <table className="data">
        <caption className="sr-only">Observed objects and replicas</caption>
        <thead>
          <tr>
            <th scope="col">Object</th>
            <th scope="col">Status</th>
            <th scope="col">Release</th>
            <th scope="col">Replicas available</th>
            <th scope="col">Serving</th>
            <th scope="col">Drifted</th>
          </tr>
        </thead>
        <tbody>
          {objects.flatMap((o) =>
            (o.versions.length ? o.versions : [undefined]).map((v, n) => (
              <tr key={`${o.name}-${v?.version ?? 'none'}`}>
                {n === 0 ? (
                  <th scope="row" rowSpan={Math.max(1, o.versions.length)}>
                    {o.name}
                    {o.message ? <p className="muted small observed-message">{humanize(o.message)}</p> : null}
                  </th>
                ) : null}
                {n === 0 ? <td rowSpan={Math.max(1, o.versions.length)}>{o.status.toLowerCase()}</td> : null}
                <td>{v ? (byRow.get(v.version)?.label ?? 'an older release') : '—'}</td>
                <td>{v ? `${v.availableReplicas} of ${v.replicas}${v.restarts ? ` (${v.restarts} restarts)` : ''}` : '—'}</td>
                <td>{v ? (v.active ? 'yes' : 'no') : '—'}</td>
                <td>{v ? (v.drifted ? 'yes' : 'no') : '—'}</td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </div>
  );
}
