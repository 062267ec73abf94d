import { RetryableError, type DeleteContext } from '@driftless/plugin-sdk';
import { exitText, invoke, outputNote } from './invoke.js';
import { readRecord, recordPath, removeRecord } from './records.js';
import { parseSpec, resolveStateDir, type ExecConfig } from './schema.js';

/**
 * Runs the delete command of what was last applied (a delete call carries no target, so the
 * record supplies the spec and the context). Without a delete command, only the record goes. On
 * failure the record stays, so a later delete can try again.
 */
export async function deleteInstance(ctx: DeleteContext<ExecConfig>): Promise<void> {
  const file = recordPath(resolveStateDir(ctx.config, ctx.dataDir), ctx.instance);
  const record = await readRecord(file);
  if (!record) return;
  const spec = parseSpec(record.target.spec);
  if (spec.delete) {
    const run = await invoke('delete', spec.delete, spec, { ...ctx, target: record.target });
    if (run.code !== 0) throw new RetryableError(`${run.label} failed (${exitText(run)})${outputNote(run.output)}`);
  }
  await removeRecord(file);
}
