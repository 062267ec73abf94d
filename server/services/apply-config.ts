import { OptimisticLockError, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/core';
import { transact } from '../store/transact.js';
import { channelsOf, parseConfig } from '../compiler/index.js';
import type { ApplicationDoc, ConfigBundle, RuntimeDoc, ServiceDoc } from '../compiler/types.js';
import { actorName, canSeeApplication, hasRight, isUnscoped, type Viewer } from '../auth/viewer.js';
import { recordEvent } from '../domain/events.js';
import { userError, UserErrors, type UserErrorData } from '../domain/user-error.js';
import { ApplicationRow, ReleaseChannelRow, RuntimeRow, ServiceInstanceRow, ServiceRow, type EventRow } from '../store/entities/index.js';
import { diagnosticsToUserErrors } from './diagnostics.js';
import { diffConfig, type ConfigChange } from './config-diff.js';
import { releaseConfigChanges } from './config-releases.js';
import { applicationDoc, loadStoredConfig, runtimeDoc, type StoredConfig } from './stored-config.js';
import { syncChannels } from './sync-channels.js';
import { checkServiceOrder } from './service-order.js';
import { upsertNotifier } from '../notify/upsert-notifier.js';
import { fieldChanges } from '../domain/field-changes.js';
import { reservedKeyPath, type RuntimeSecrets } from '../secrets/runtime-secrets.js';
import { checkRuntimeAccess } from './runtime-access.js';

export interface AppliedObject {
  kind: ConfigChange['kind'];
  name: string;
  application?: string;
  action: ConfigChange['action'];
  id: string;
}

export interface ApplyConfigOutcome {
  objects: AppliedObject[];
  /** Applications whose intent changed: the engine looks at them at once. */
  changedApplicationIds: string[];
  /** Releases the change created (trigger CONFIG), with their events, for subscribers. */
  events: EventRow[];
  /** Some instances were removed: the engine removes their workloads. */
  removals: boolean;
  /** A Notifier was created or changed: the engine's notifier cache reloads. */
  notifiersChanged?: boolean;
  userErrors: UserErrorData[];
}

/** Checks a parsed bundle against plugin schemas; supplied by the plugin host. */
export type PluginConfigValidator = (bundle: ConfigBundle, context: { runtimes: RuntimeDoc[]; applications: ApplicationDoc[] }) => Promise<UserErrorData[]>;

/**
 * applyConfig: all or nothing in one transaction, idempotent. Unchanged documents are not written;
 * when nothing changed, nothing at all is written (not even an event).
 */
export async function applyConfig(
  rootEm: EntityManager,
  viewer: Viewer,
  text: string,
  validatePlugins?: PluginConfigValidator,
  secrets?: RuntimeSecrets,
): Promise<ApplyConfigOutcome> {
  if (!hasRight(viewer, 'config:write')) {
    return failed([userError('FORBIDDEN', `role ${viewer.role} cannot change config; an admin token is needed`, ['documents'])]);
  }
  try {
    return await transact(rootEm, async (em) => {
      const stored = await loadStoredConfig(em);
      const bundle = parseAgainst(text, stored, viewer);
      const scopeErrors = checkScope(viewer, bundle);
      if (scopeErrors.length) throw new UserErrors(scopeErrors);
      const orderErrors = checkServiceOrder(bundle, stored);
      if (orderErrors.length) throw new UserErrors(orderErrors);
      const accessErrors = checkRuntimeAccess(bundle, stored);
      if (accessErrors.length) throw new UserErrors(accessErrors);
      checkReservedKeys(bundle);
      const pluginErrors = validatePlugins ? await validatePlugins(bundle, { runtimes: mergedRuntimes(stored, bundle), applications: mergedApplications(stored, bundle) }) : [];
      if (pluginErrors.length) throw new UserErrors(pluginErrors);
      const sealed = sealBundle(bundle, secrets);
      const runtimes = mergedRuntimes(stored, sealed);

      const changes = diffConfig(sealed, stored, secrets && ((doc) => secrets.digest(doc)));
      const actor = actorName(viewer);
      const objects: AppliedObject[] = [];
      const changedApps = new Set<string>();

      for (const change of changes.filter((c) => c.kind === 'Runtime')) {
        const row = await upsertRuntime(em, stored, change, actor);
        objects.push(toObject(change, row.id));
        // A runtime's config reaches every channel on it: their instances must be looked at again.
        if (change.action === 'UPDATE') {
          for (const ch of await em.find(ReleaseChannelRow, { runtimeId: row.id })) changedApps.add(ch.applicationId);
        }
      }
      for (const change of changes.filter((c) => c.kind === 'Notifier')) {
        const row = await upsertNotifier(em, stored.notifiers.get(change.name), change, actor);
        objects.push(toObject(change, row.id));
      }
      await em.flush();
      const runtimeIds = new Map((await em.find(RuntimeRow, { retiredAt: null })).map((r) => [r.name, r.id]));

      let removals = 0;
      for (const change of changes.filter((c) => c.kind === 'Application')) {
        const { row, removed } = await upsertApplication(em, stored, change, actor, runtimeIds, runtimes);
        removals += removed;
        objects.push(toObject(change, row.id));
        if (change.action !== 'UNCHANGED') changedApps.add(row.id);
      }
      await em.flush();

      // A new or relabelled runtime may add or take away channels that groups generate.
      if (changes.some((c) => c.kind === 'Runtime' && c.action !== 'UNCHANGED')) {
        const inBundle = new Set(bundle.applications.map((a) => a.name));
        for (const app of stored.applications.values()) {
          if (inBundle.has(app.name) || !app.document.releaseChannelGroups?.length) continue;
          const before = (await em.find(ReleaseChannelRow, { applicationId: app.id })).map((c) => `${c.name}@${c.runtimeId}`).sort().join();
          removals += await syncChannels(em, app, app.document, runtimeIds, actor, runtimes);
          await em.flush();
          const after = (await em.find(ReleaseChannelRow, { applicationId: app.id })).map((c) => `${c.name}@${c.runtimeId}`).sort().join();
          if (before !== after) changedApps.add(app.id);
        }
      }

      for (const change of changes.filter((c) => c.kind === 'Service')) {
        const row = await upsertService(em, change, actor);
        objects.push(toObject(change, row.id));
        if (change.action !== 'UNCHANGED') changedApps.add(row.applicationId);
      }
      await em.flush();

      const events: EventRow[] = [];
      for (const applicationId of changedApps) {
        const app = await em.findOneOrFail(ApplicationRow, { id: applicationId });
        // A new generation of the config that shapes this application's releases (a new one starts at 1).
        app.configGeneration += 1;
        await ensureInstances(em, applicationId);
        await em.flush();
        events.push(...(await releaseConfigChanges(em, applicationId, runtimes, actor)));
      }
      await em.flush();
      const notifiersChanged = changes.some((c) => c.kind === 'Notifier' && c.action !== 'UNCHANGED');
      return { objects, changedApplicationIds: [...changedApps], events, removals: removals > 0, notifiersChanged, userErrors: [] };
    });
  } catch (err) {
    if (err instanceof UserErrors) return failed(err.errors);
    if (err instanceof OptimisticLockError || err instanceof UniqueConstraintViolationException) {
      return failed([userError('STALE', 'the config was changed by someone else at the same moment; apply again', ['documents'])]);
    }
    throw err;
  }
}

function failed(userErrors: UserErrorData[]): ApplyConfigOutcome {
  return { objects: [], changedApplicationIds: [], events: [], removals: false, userErrors };
}

/**
 * The bundle as it is stored: secret values of Runtime configs sealed (references stay as written).
 * Without a RuntimeSecrets (tools and tests that run without a server) it is left as it is.
 */
export function sealBundle(bundle: ConfigBundle, secrets: RuntimeSecrets | undefined): ConfigBundle {
  checkReservedKeys(bundle);
  if (!secrets) return bundle;
  return { ...bundle, runtimes: bundle.runtimes.map((r) => ({ ...r, config: secrets.seal(r.plugin, r.config) })) };
}

/** Only the server writes `$sealed`: a document carrying one is refused before anything reads it. */
export function checkReservedKeys(bundle: ConfigBundle): void {
  const reserved = bundle.runtimes.flatMap((r) => {
    const at = reservedKeyPath(r.config);
    return at ? [userError('INVALID_PLUGIN_CONFIG', `Runtime ${r.name}: ${at}: "$sealed" is reserved for values the server encrypted; write the secret's clear value or a reference ({ fromEnv: NAME } / { fromFile: path })`, ['documents', `Runtime ${r.name}`, at])] : [];
  });
  if (reserved.length) throw new UserErrors(reserved);
}

/**
 * Parses the text, letting it reference runtimes and the stored applications the viewer can see.
 * An application outside a token's scope is not there for its documents at all, so every answer
 * about it (unknown, and no "did you mean" from its name, channels or constants) is the answer a
 * missing application gets: the token learns nothing about it (issue 10 point 5).
 */
export function parseAgainst(text: string, stored: StoredConfig, viewer?: Viewer): ConfigBundle {
  const result = parseConfig(text, {
    runtimes: [...stored.runtimes.values()].map(runtimeDoc),
    applications: [...stored.applications.values()].filter((a) => !viewer || canSeeApplication(viewer, a.name)).map(applicationDoc),
  });
  if (!result.ok) throw new UserErrors(diagnosticsToUserErrors(result.diagnostics));
  return result.value;
}

export function checkScope(viewer: Viewer, bundle: ConfigBundle): UserErrorData[] {
  const errors: UserErrorData[] = [];
  if (!isUnscoped(viewer)) {
    for (const r of bundle.runtimes) {
      errors.push(userError('FORBIDDEN', `Runtime ${r.name}: runtimes are shared; a token limited to applications cannot change them`, ['documents', `Runtime ${r.name}`]));
    }
  }
  if (!isUnscoped(viewer)) {
    for (const n of bundle.notifiers) errors.push(userError('FORBIDDEN', `Notifier ${n.name}: notifiers are shared; a token limited to applications cannot change them`, ['documents', `Notifier ${n.name}`]));
  }
  for (const a of bundle.applications) {
    if (!canSeeApplication(viewer, a.name)) errors.push(userError('FORBIDDEN', `Application ${a.name}: this token is not allowed to change it`, ['documents', `Application ${a.name}`]));
  }
  for (const s of bundle.services) {
    if (!canSeeApplication(viewer, s.application)) {
      errors.push(userError('FORBIDDEN', `Service ${s.name}: this token is not allowed to change application ${s.application}`, ['documents', `Service ${s.name}`]));
    }
  }
  return errors;
}

/** Stored runtimes with the bundle's versions laid over them. */
export function mergedRuntimes(stored: StoredConfig, bundle: ConfigBundle): RuntimeDoc[] {
  const byName = new Map([...stored.runtimes.values()].map((r) => [r.name, runtimeDoc(r)]));
  for (const r of bundle.runtimes) byName.set(r.name, r);
  return [...byName.values()];
}

/** Stored applications with the bundle's versions laid over them. */
export function mergedApplications(stored: StoredConfig, bundle: ConfigBundle): ApplicationDoc[] {
  const byName = new Map([...stored.applications.values()].map((a) => [a.name, applicationDoc(a)]));
  for (const a of bundle.applications) byName.set(a.name, a);
  return [...byName.values()];
}

function toObject(change: ConfigChange, id: string): AppliedObject {
  return { kind: change.kind, name: change.name, ...(change.application ? { application: change.application } : {}), action: change.action, id };
}

async function upsertRuntime(em: EntityManager, stored: StoredConfig, change: ConfigChange, actor: string): Promise<RuntimeRow> {
  const doc = change.doc as RuntimeDoc;
  const existing = stored.runtimes.get(doc.name);
  if (!existing && (await em.count(RuntimeRow, { name: doc.name, retiredAt: { $ne: null } }))) {
    throw new UserErrors([userError('IN_USE', `Runtime ${doc.name}: it is being deleted (the workloads of its channels are being removed); apply it again once that is done`, ['documents', `Runtime ${doc.name}`])]);
  }
  if (change.action === 'UNCHANGED' && existing) return existing;
  const before = existing ? runtimeDoc(existing) : undefined;
  const row = existing ?? em.create(RuntimeRow, { name: doc.name, plugin: doc.plugin, documentDigest: change.digest });
  Object.assign(row, { plugin: doc.plugin, config: doc.config, labels: doc.labels, maxConcurrentRollouts: doc.maxConcurrentRollouts ?? null, constants: doc.constants ?? null, allowedApplications: doc.allowedApplications ?? null, documentDigest: change.digest });
  recordEvent(em, { type: existing ? 'RUNTIME_UPDATED' : 'RUNTIME_CREATED', actor, subject: `Runtime ${doc.name}`, subjectId: row.id, message: `${existing ? 'updated' : 'created'} runtime ${doc.name} (plugin ${doc.plugin})`, data: { changes: fieldChanges(before, doc) } });
  return row;
}

async function upsertApplication(em: EntityManager, stored: StoredConfig, change: ConfigChange, actor: string, runtimeIds: Map<string, string>, runtimes: RuntimeDoc[]): Promise<{ row: ApplicationRow; removed: number }> {
  const doc = change.doc as ApplicationDoc;
  const existing = stored.applications.get(doc.name);
  if (change.action === 'UNCHANGED' && existing) return { row: existing, removed: 0 };
  const before = existing?.document;
  const row = existing ?? em.create(ApplicationRow, { name: doc.name, document: doc, documentDigest: change.digest, configGeneration: 0 });
  Object.assign(row, { document: doc, documentDigest: change.digest });
  const removed = await syncChannels(em, row, doc, runtimeIds, actor, runtimes);
  recordEvent(em, {
    type: existing ? 'APPLICATION_UPDATED' : 'APPLICATION_CREATED',
    actor,
    applicationId: row.id,
    subject: `Application ${doc.name}`,
    subjectId: row.id,
    message: `${existing ? 'updated' : 'created'} application ${doc.name} with channels ${channelsOf(doc, runtimes).map((c) => c.name).join(', ')}`,
    data: { changes: fieldChanges(before, doc) },
  });
  return { row, removed };
}

async function upsertService(em: EntityManager, change: ConfigChange, actor: string): Promise<ServiceRow> {
  const doc = change.doc as ServiceDoc;
  const app = await em.findOneOrFail(ApplicationRow, { name: doc.application });
  const existing = await em.findOne(ServiceRow, { applicationId: app.id, name: doc.name });
  if (change.action === 'UNCHANGED' && existing) return existing;
  const before = existing?.document;
  const row = existing ?? em.create(ServiceRow, { applicationId: app.id, name: doc.name, document: doc, documentDigest: change.digest });
  Object.assign(row, { document: doc, documentDigest: change.digest });
  recordEvent(em, {
    type: existing ? 'SERVICE_UPDATED' : 'SERVICE_CREATED',
    actor,
    applicationId: app.id,
    subject: `Service ${doc.application}/${doc.name}`,
    subjectId: row.id,
    message: `${existing ? 'updated' : 'created'} service ${doc.name} in ${doc.application}`,
    data: { changes: fieldChanges(before, doc) },
  });
  return row;
}

/** One instance per (service, channel): created as soon as both exist, PENDING until a release. */
async function ensureInstances(em: EntityManager, applicationId: string): Promise<void> {
  // One after another: inside a transaction they share one connection.
  const channels = await em.find(ReleaseChannelRow, { applicationId });
  const services = await em.find(ServiceRow, { applicationId });
  const instances = await em.find(ServiceInstanceRow, { applicationId });
  const have = new Set(instances.map((i) => `${i.serviceId}/${i.channelId}`));
  const now = new Date();
  for (const service of services) {
    for (const channel of channels) {
      if (have.has(`${service.id}/${channel.id}`)) continue;
      em.create(ServiceInstanceRow, {
        applicationId,
        serviceId: service.id,
        channelId: channel.id,
        status: 'PENDING',
        reasons: [{ code: 'NO_RELEASE', message: `no release of ${service.name} has been created yet`, since: now.toISOString() }],
        statusSince: now,
      });
    }
  }
}
