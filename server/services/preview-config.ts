import type { EntityManager } from '@mikro-orm/core';
import { compileRelease } from '../compiler/index.js';
import type { CompiledChannelState } from '../compiler/types.js';
import type { Viewer } from '../auth/viewer.js';
import { UserErrors, type UserErrorData } from '../domain/user-error.js';
import { summarizeGate } from '../engine/gates/summary.js';
import { ApplicationRow, ServiceInstanceRow, ServiceRow, ReleaseRow } from '../store/entities/index.js';
import { checkScope, mergedApplications, mergedRuntimes, checkReservedKeys, parseAgainst, sealBundle, type PluginConfigValidator } from './apply-config.js';
import { checkRuntimeAccess } from './runtime-access.js';
import type { RuntimeSecrets } from '../secrets/runtime-secrets.js';
import { diffConfig, type ConfigChange } from './config-diff.js';
import { planConfigReleases } from './config-releases.js';
import { diagnosticsToUserErrors } from './diagnostics.js';
import { baseLabel, summarizeChanges } from './release-writer.js';
import { channelsOf, diffStates } from '../compiler/index.js';
import { loadStoredConfig, serviceDoc } from './stored-config.js';

export interface PreviewService {
  name: string;
  /** Where the parameters came from: the request, the latest release, or placeholders. */
  paramsSource: 'INPUT' | 'LATEST_RELEASE' | 'PLACEHOLDER';
  desiredState?: CompiledChannelState;
  /** Compared with the instance's current desired state. */
  action: 'CREATE' | 'UPDATE' | 'UNCHANGED';
  userErrors: UserErrorData[];
}

export interface PreviewChannel {
  name: string;
  runtime: string;
  services: PreviewService[];
}

/** Where a release the change would create goes in one channel. */
export interface PreviewReleaseChannel {
  channel: string;
  /** UNCHANGED: it compiles to what runs there, so it is converged there at once. ROLLOUT: it goes through the gates. */
  effect: 'UNCHANGED' | 'ROLLOUT';
  /** What it would wait for there, in words ("staging converged on it", "2 distinct approvers needed"). */
  waitsFor: string[];
  /** Field-level changes against what runs there now. */
  changes: string[];
}

export interface PreviewRelease {
  service: string;
  label: string;
  /** The release whose parameters it carries forward. */
  basedOn: string;
  changes: string[];
  channels: PreviewReleaseChannel[];
}

export interface PreviewApplication {
  name: string;
  channels: PreviewChannel[];
  /** The releases applying the change would create (trigger CONFIG). */
  releases: PreviewRelease[];
}

export interface PreviewOutcome {
  changes: ConfigChange[];
  applications: PreviewApplication[];
  userErrors: UserErrorData[];
}

/**
 * Dry run of applyConfig: everything apply checks (the documents, the plugins' schemas and
 * `validate`), what would be created, changed or left alone, the desired state each instance would
 * get, and the releases the change would create with where each would wait. Reads only.
 * Parameters come from `params[service]`, else the service's latest release, else placeholders.
 */
export async function previewConfig(em: EntityManager, viewer: Viewer, text: string, params: Record<string, Record<string, unknown>> = {}, validatePlugins?: PluginConfigValidator, secrets?: RuntimeSecrets): Promise<PreviewOutcome> {
  try {
    const stored = await loadStoredConfig(em);
    const bundle = parseAgainst(text, stored, viewer);
    const scopeErrors = checkScope(viewer, bundle);
    if (scopeErrors.length) throw new UserErrors(scopeErrors);
    const accessErrors = checkRuntimeAccess(bundle, stored);
    if (accessErrors.length) throw new UserErrors(accessErrors);
    checkReservedKeys(bundle);
    const pluginErrors = validatePlugins ? await validatePlugins(bundle, { runtimes: mergedRuntimes(stored, bundle), applications: mergedApplications(stored, bundle) }) : [];
    if (pluginErrors.length) throw new UserErrors(pluginErrors);
    const sealed = sealBundle(bundle, secrets);
    const runtimes = mergedRuntimes(stored, sealed);
    const changes = diffConfig(sealed, stored, secrets && ((doc) => secrets.digest(doc)));

    const appNames = new Set([...bundle.applications.map((a) => a.name), ...bundle.services.map((s) => s.application)]);
    const applications: PreviewApplication[] = [];
    for (const appName of [...appNames].sort()) {
      const appDoc = bundle.applications.find((a) => a.name === appName) ?? stored.applications.get(appName)!.document;
      const storedApp = stored.applications.get(appName);
      const services = new Map([...stored.services.entries()].filter(([key]) => key.startsWith(`${appName}/`)).map(([, row]) => [row.name, serviceDoc(row)]));
      for (const s of bundle.services.filter((s) => s.application === appName)) services.set(s.name, s);

      const channels: PreviewChannel[] = channelsOf(appDoc, runtimes).map((c) => ({ name: c.name, runtime: c.runtime, services: [] }));
      for (const [serviceName, doc] of [...services.entries()].sort(([a], [b]) => a.localeCompare(b))) {
        const storedService = stored.services.get(`${appName}/${serviceName}`);
        const latest = storedService ? await em.findOne(ReleaseRow, { serviceId: storedService.id }, { orderBy: { number: 'desc' } }) : null;
        const given = params[serviceName];
        const source: PreviewService['paramsSource'] = given ? 'INPUT' : latest ? 'LATEST_RELEASE' : 'PLACEHOLDER';
        const result = compileRelease({ application: appDoc, service: doc, runtimes, params: given ?? latest?.params ?? {} }, { previewMissingParams: !given });
        const current = storedService && storedApp ? await em.find(ServiceInstanceRow, { serviceId: storedService.id }) : [];
        for (const channel of channels) {
          if (!result.ok) {
            channel.services.push({ name: serviceName, paramsSource: source, action: 'UNCHANGED', userErrors: diagnosticsToUserErrors(result.diagnostics, 'params') });
            continue;
          }
          const state = result.value.find((s) => s.channel === channel.name);
          const existing = current.find((i) => storedApp && i.desiredState?.channel === channel.name);
          const action = !existing?.desiredState ? 'CREATE' : existing.desiredState.digest === state?.digest ? 'UNCHANGED' : 'UPDATE';
          channel.services.push({ name: serviceName, paramsSource: source, desiredState: state, action, userErrors: [] });
        }
      }
      applications.push({ name: appName, channels, releases: storedApp ? await previewReleases(em, storedApp, appDoc, bundle, runtimes) : [] });
    }
    return { changes, applications, userErrors: [] };
  } catch (err) {
    if (err instanceof UserErrors) return { changes: [], applications: [], userErrors: err.errors };
    throw err;
  }
}

/** The releases apply would create for a stored application, and where each would wait. */
async function previewReleases(
  em: EntityManager,
  stored: ApplicationRow,
  appDoc: ApplicationRow['document'],
  bundle: Parameters<typeof checkScope>[1],
  runtimes: Parameters<typeof planConfigReleases>[2],
): Promise<PreviewRelease[]> {
  // The application as it would be after the change, without writing it.
  const app = Object.assign(Object.create(Object.getPrototypeOf(stored)) as ApplicationRow, stored, { document: appDoc });
  const rows = await em.find(ServiceRow, { applicationId: stored.id }, { orderBy: { name: 'asc' } });
  const services = rows.map((row) => {
    const doc = bundle.services.find((s) => s.application === stored.name && s.name === row.name);
    return doc ? (Object.assign(Object.create(Object.getPrototypeOf(row)) as ServiceRow, row, { document: doc }) as ServiceRow) : row;
  });
  const plans = await planConfigReleases(em, app, runtimes, services);
  const out: PreviewRelease[] = [];
  for (const plan of plans) {
    const instances = await em.find(ServiceInstanceRow, { serviceId: plan.service.id });
    const channels: PreviewReleaseChannel[] = [];
    const changes: Record<string, ReturnType<typeof diffStates>> = {};
    for (const [channel, state] of plan.states) {
      changes[channel] = diffStates(plan.latest.states[channel], state);
      const running = instances.find((i) => i.targetState?.channel === channel)?.targetState ?? null;
      const unchanged = running?.digest === state.digest;
      channels.push({
        channel,
        effect: unchanged ? 'UNCHANGED' : 'ROLLOUT',
        waitsFor: unchanged ? [] : [...state.dependsOn.map((d) => `${d} converged on it`), ...state.gates.map(summarizeGate)],
        changes: diffStates(running, state).map((c) => `${c.path}`),
      });
    }
    out.push({
      service: plan.service.name,
      label: baseLabel(plan.latest.params, plan.service.releaseCount + 1, 'CONFIG', stored.configGeneration + 1),
      basedOn: plan.latest.label,
      changes: summarizeChanges(changes),
      channels,
    });
  }
  return out;
}
