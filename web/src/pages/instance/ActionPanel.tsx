import { useId, useState, type ReactNode } from 'react';
import { Check, Pause, Play, Undo2, X } from 'lucide-react';
import { useMutation } from 'urql';
import { ApproveRelease, PauseConvergence, RejectRelease, ResumeConvergence, RollbackService } from '../../graphql/operations/instance.js';
import type { Abilities } from '../../model/permissions.js';
import { UserErrors } from '../../ui/UserErrors.js';
import { useAction } from './use-action.js';

export interface ActionTarget {
  app: string;
  channel: string;
  service: string;
  paused: boolean;
  desiredRelease?: { id: string; label: string } | null;
  convergedRelease?: { id: string; label: string } | null;
  /** The desired release waits for approval here (or was rejected and may be approved again). */
  approvable: boolean;
  /** Something ran here that a rollback can go back from. */
  rollbackable: boolean;
}

function Outcome({ errors, done }: { errors: { message: string; code?: string }[]; done?: string }) {
  return (
    <>
      <UserErrors errors={errors} />
      {done ? (
        <p className="done" role="status">
          {done}
        </p>
      ) : null}
    </>
  );
}

/** Approve (showing the plan being approved) or reject the desired release in this channel. */
function ApprovalBox({ target, plan, action }: { target: ActionTarget; plan: ReactNode; action: ReturnType<typeof useAction> }) {
  const [, approve] = useMutation(ApproveRelease);
  const [, reject] = useMutation(RejectRelease);
  const [comment, setComment] = useState('');
  const commentId = useId();
  const release = target.desiredRelease!;
  const vars = { release: release.id, channel: target.channel, comment: comment.trim() || null };
  return (
    <div className="action-box approval" aria-labelledby={`${commentId}-h`}>
      <h3 id={`${commentId}-h`}>
        Approve {release.label} for {target.channel}
      </h3>
      <p className="muted small">You approve exactly this release and this plan; a newer release needs its own approval.</p>
      {plan}
      <label htmlFor={commentId}>Comment (optional)</label>
      <textarea id={commentId} rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
      <div className="button-row">
        <button
          type="button"
          className="button primary"
          disabled={action.busy}
          onClick={() => void action.run(async () => {
            const r = await approve(vars);
            return { error: r.error, userErrors: r.data?.approveRelease.userErrors };
          }, `Approved ${release.label} for ${target.channel}.`)}
        >
          <Check size={16} aria-hidden /> Approve {release.label}
        </button>
        <button
          type="button"
          className="button danger"
          disabled={action.busy}
          onClick={() => void action.run(async () => {
            const r = await reject(vars);
            return { error: r.error, userErrors: r.data?.rejectRelease.userErrors };
          }, `Rejected ${release.label} for ${target.channel}: it will not start here.`)}
        >
          <X size={16} aria-hidden /> Reject {release.label}
        </button>
      </div>
      <UserErrors errors={action.errors} />
    </div>
  );
}

function RollbackBox({ target }: { target: ActionTarget }) {
  const [, rollback] = useMutation(RollbackService);
  const [confirming, setConfirming] = useState(false);
  const action = useAction();
  return (
    <div className="action-box">
      <h3>Roll back</h3>
      {confirming ? (
        <div role="group" aria-label="Confirm the rollback">
          <p>
            Roll {target.service} in {target.channel} back to the last release that converged here? The release it leaves is marked bad in {target.channel} and never promoted again.
          </p>
          <div className="button-row">
            <button
              type="button"
              className="button danger"
              disabled={action.busy}
              onClick={() =>
                void action
                  .run(async () => {
                    const r = await rollback({ application: target.app, service: target.service, channel: target.channel });
                    return { error: r.error, userErrors: r.data?.rollbackService.userErrors };
                  }, `Rollback of ${target.service} in ${target.channel} requested.`)
                  .then(() => setConfirming(false))
              }
            >
              <Undo2 size={16} aria-hidden /> Roll back now
            </button>
            <button type="button" className="button ghost" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className="button" onClick={() => (action.clear(), setConfirming(true))}>
          <Undo2 size={16} aria-hidden /> Roll back…
        </button>
      )}
      <Outcome errors={action.errors} done={action.done} />
    </div>
  );
}

function PauseBox({ target }: { target: ActionTarget }) {
  const [, pause] = useMutation(PauseConvergence);
  const [, resume] = useMutation(ResumeConvergence);
  const action = useAction();
  const vars = { application: target.app, channel: target.channel, service: target.service };
  return (
    <div className="action-box">
      <h3>{target.paused ? 'Paused' : 'Convergence'}</h3>
      <p className="muted small">{target.paused ? 'Nothing is applied here until you resume; the instance is still observed.' : 'Pausing stops applying changes here; the instance is still observed.'}</p>
      {target.paused ? (
        <button
          type="button"
          className="button"
          disabled={action.busy}
          onClick={() => void action.run(async () => {
            const r = await resume(vars);
            return { error: r.error, userErrors: r.data?.resumeConvergence.userErrors };
          }, `Resumed ${target.service} in ${target.channel}.`)}
        >
          <Play size={16} aria-hidden /> Resume
        </button>
      ) : (
        <button
          type="button"
          className="button"
          disabled={action.busy}
          onClick={() => void action.run(async () => {
            const r = await pause(vars);
            return { error: r.error, userErrors: r.data?.pauseConvergence.userErrors };
          }, `Paused ${target.service} in ${target.channel}.`)}
        >
          <Pause size={16} aria-hidden /> Pause
        </button>
      )}
      <Outcome errors={action.errors} done={action.done} />
    </div>
  );
}

/**
 * The actions this token's role allows, and only those: a viewer gets no buttons at all (the
 * server would refuse them anyway). The admin's gate bypass slots in here once the API has it.
 */
export function ActionPanel({ target, abilities, plan }: { target: ActionTarget; abilities: Abilities; plan: ReactNode }) {
  const showApproval = (abilities.approve || abilities.reject) && target.approvable && !!target.desiredRelease;
  // Kept here, not in the box: an approval makes the box go away, and its confirmation must stay.
  const approval = useAction();
  return (
    <div className="actions">
      {showApproval ? <ApprovalBox target={target} plan={plan} action={approval} /> : null}
      {approval.done ? (
        <p className="done" role="status">
          {approval.done}
        </p>
      ) : null}
      {abilities.rollback && target.rollbackable ? <RollbackBox target={target} /> : null}
      {abilities.pause || abilities.resume ? <PauseBox target={target} /> : null}
    </div>
  );
}
