import { RetryableError, type FetchContext, type ObservedObject, type ObservedState, type TargetState } from '@driftless/plugin-sdk';
import { shortTail } from './capture.js';
import { exitText, invoke, outputNote } from './invoke.js';
import { parseObserved } from './observed.js';
import { readRecord, recordPath } from './records.js';
import { parseSpec, resolveStateDir, type ExecConfig } from './schema.js';

/** Exit codes of an exitCode-mode fetch command (the convention of `terraform plan -detailed-exitcode`). */
export const CONVERGED_EXIT = 0;
export const NEEDS_APPLY_EXIT = 2;

/**
 * Runs the user's fetch command. It must only look, never change anything; the plugin itself only
 * reads its record. Without a target there is no spec, hence no command: nothing is reported.
 */
export async function fetchState(ctx: FetchContext<ExecConfig>): Promise<ObservedState> {
  const target = ctx.target;
  if (!target) return { objects: [] };
  const spec = parseSpec(target.spec);
  const run = await invoke('fetch', spec.fetch, spec, ctx);
  if (spec.fetch.mode === 'structured') {
    if (run.code !== 0) throw new RetryableError(`${run.label} failed (${exitText(run)})${outputNote(run.output)}`);
    return parseObserved(run.label, run.output.stdout, run.output.stdoutTruncated);
  }
  if (run.code === CONVERGED_EXIT) return { objects: [object(ctx.instance.service, 'SUCCEEDED', target.version)] };
  if (run.code === NEEDS_APPLY_EXIT) {
    const applied = (await readRecord(recordPath(resolveStateDir(ctx.config, ctx.dataDir), ctx.instance)))?.target;
    return { objects: [needsApply(ctx.instance.service, target, applied, shortTail(run.output.tail))] };
  }
  throw new RetryableError(
    `${run.label} failed (${exitText(run)}; expected 0 = converged or 2 = needs apply)${outputNote(run.output)}`,
  );
}

function object(name: string, status: ObservedObject['status'], version: string, drifted = false, message?: string): ObservedObject {
  return {
    name,
    status,
    versions: [{ version, replicas: 1, availableReplicas: 1, active: true, drifted }],
    ...(message ? { message } : {}),
  };
}

/**
 * "Changes needed", said as truthfully as the record allows: nothing applied yet, an older
 * version applied, or the target applied but the world no longer matches it (drift).
 */
function needsApply(name: string, target: TargetState, applied: TargetState | undefined, tail: string): ObservedObject {
  const said = tail ? `: ${tail}` : '';
  if (!applied) return { name, status: 'PENDING', versions: [], message: `fetch command reports changes needed${said}` };
  if (applied.version !== target.version) return object(name, 'SUCCEEDED', applied.version, false, `fetch command reports changes needed${said}`);
  return object(name, 'SUCCEEDED', applied.version, true, `fetch command reports changes needed after ${applied.version} was applied${said}`);
}
