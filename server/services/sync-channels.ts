import type { EntityManager } from '@mikro-orm/core';
import { compileGate } from '../compiler/index.js';
import type { ApplicationDoc, CompiledGate, GateDoc } from '../compiler/types.js';
import { ApplicationRow, ReleaseChannelRow, ServiceInstanceRow } from '../store/entities/index.js';
import { recordEvent } from '../domain/events.js';
import { removeInstances } from './removal-intents.js';

/**
 * Makes the channel rows of an application match its document: update by name, create new ones,
 * delete removed ones. Channels keep their ids (and instances their history) across edits. The
 * instances of a removed channel go too, and what they ran is removed from the runtime (durably,
 * see removal-intents.ts). Returns how many workloads are to be removed.
 */
export async function syncChannels(em: EntityManager, app: ApplicationRow, doc: ApplicationDoc, runtimeIds: Map<string, string>, actor: string): Promise<number> {
  const existing = app.id ? await em.find(ReleaseChannelRow, { applicationId: app.id }) : [];
  const byName = new Map(existing.map((c) => [c.name, c]));
  doc.releaseChannels.forEach((channelDoc, position) => {
    const runtimeId = runtimeIds.get(channelDoc.runtime);
    if (!runtimeId) throw new Error(`runtime ${channelDoc.runtime} vanished while applying`); // references were checked
    const gates = compileGates(channelDoc.gates);
    const row = byName.get(channelDoc.name);
    if (row) {
      Object.assign(row, { position, runtimeId, document: channelDoc, gates });
      byName.delete(channelDoc.name);
    } else {
      em.create(ReleaseChannelRow, { applicationId: app.id, name: channelDoc.name, position, runtimeId, document: channelDoc, gates });
    }
  });
  let pending = 0;
  for (const removed of byName.values()) {
    const instances = await em.find(ServiceInstanceRow, { channelId: removed.id });
    pending += (await removeInstances(em, instances, 'CHANNEL_REMOVED', actor)).pending;
    recordEvent(em, {
      type: 'CHANNEL_REMOVED',
      actor,
      applicationId: app.id,
      subject: `ReleaseChannel ${app.name}/${removed.name}`,
      subjectId: removed.id,
      message: `removed channel ${removed.name} from ${app.name}${instances.length ? `; its ${instances.length === 1 ? 'service is' : `${instances.length} services are`} removed from its runtime` : ''}`,
      data: { channel: removed.name },
    });
    em.remove(removed);
  }
  return pending;
}

/** Gates were validated when the documents were parsed; a failure here is a bug, not user input. */
function compileGates(gates: GateDoc[]): CompiledGate[] {
  return gates.map((gate) => {
    const result = compileGate(gate);
    if (!result.ok) throw new Error(`gate failed to compile after validation: ${result.problems.map((p) => p.text).join('; ')}`);
    return result.gate;
  });
}
