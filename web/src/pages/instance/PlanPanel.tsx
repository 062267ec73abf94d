import type { FieldChange } from '../../model/diff.js';
import { showValue } from '../../model/diff.js';

/**
 * What applying a release changes against what runs in the channel, field by field. It takes a
 * list of changes, so the API's per-channel plan (coming with the delivery-safety work) drops in
 * for the parameter diff the page computes today.
 */
export function PlanPanel({ changes, from, to, note }: { changes: FieldChange[]; from?: string; to?: string; note?: string }) {
  return (
    <div className="plan" data-testid="plan">
      <p className="plan-head">
        {from ? (
          <>
            From <strong>{from}</strong> (running here) to <strong>{to ?? '—'}</strong>
          </>
        ) : (
          <>
            First deploy of <strong>{to ?? '—'}</strong> here: nothing runs yet
          </>
        )}
      </p>
      {changes.length ? (
        <table className="plan-table">
          <caption className="sr-only">Changed fields</caption>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Now</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            {changes.map((c) => (
              <tr key={c.path} data-kind={c.kind}>
                <th scope="row">
                  <code>{c.path}</code>
                </th>
                <td className="plan-before">
                  <code>{showValue(c.before)}</code>
                </td>
                <td className="plan-after">
                  <code>{showValue(c.after)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No parameter changes.</p>
      )}
      {note ? <p className="muted small">{note}</p> : null}
    </div>
  );
}
