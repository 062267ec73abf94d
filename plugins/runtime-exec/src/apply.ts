import { RetryableError, TerminalError, type ApplyContext, type ApplyResult } from '@driftless/plugin-sdk';
import { shortTail } from './capture.js';
import { exitText, invoke, outputNote } from './invoke.js';
import { recordPath, writeRecord } from './records.js';
import { parseSpec, resolveStateDir, type ExecConfig } from './schema.js';

/**
 * Runs the user's apply command. Exit 0: applied (the record is written, the output's last lines
 * become the event message). An exit code the spec lists as retryable: RetryableError. Any other
 * failure: TerminalError, since running the same command again is expected to fail the same way.
 */
export async function applyTarget(ctx: ApplyContext<ExecConfig>): Promise<ApplyResult> {
  const spec = parseSpec(ctx.target.spec);
  const run = await invoke('apply', spec.apply, spec, ctx);
  if (run.code === 0) {
    await writeRecord(recordPath(resolveStateDir(ctx.config, ctx.dataDir), ctx.instance), ctx.target);
    return { message: shortTail(run.output.tail, 200) || `${run.label} exited 0` };
  }
  if (run.code !== null && spec.apply.retryableExitCodes.includes(run.code)) {
    throw new RetryableError(`${run.label} failed (${exitText(run)}, retryable)${outputNote(run.output)}`);
  }
  throw new TerminalError(`${run.label} failed (${exitText(run)})${outputNote(run.output)}`);
}
