import type { EntityManager } from '@mikro-orm/core';
import { compileRelease } from '../compiler/index.js';
import type { CompiledChannelState } from '../compiler/types.js';
import type { Viewer } from '../auth/viewer.js';
import { UserErrors, type UserErrorData } from '../domain/user-error.js';
import { ReleaseRow, ServiceInstanceRow } from '../store/entities/index.js';
import { checkScope, mergedRuntimes, parseAgainst } from './apply-config.js';
import { diffConfig, type ConfigChange } from './config-diff.js';
import { diagnosticsToUserErrors } from './diagnostics.js';
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

export interface PreviewApplication {
  name: string;
  channels: PreviewChannel[];
}

export interface PreviewOutcome {
  changes: ConfigChange[];
  applications: PreviewApplication[];
  userErrors: UserErrorData[];
}

/**
 * Dry run of applyConfig: what would be created, changed or left alone, and the desired state each
 * instance would get. Reads only. Parameters come from `params[service]`, else the service's latest
 * release, else placeholders like `<params.version>`.
 */
export async function previewConfig(em: EntityManager, viewer: Viewer, text: string, params: Record<string, Record<string, unknown>> = {}): Promise<PreviewOutcome> {
  try {
    const stored = await loadStoredConfig(em);
    const bundle = parseAgainst(text, stored);
    const scopeErrors = checkScope(viewer, bundle);
    if (scopeErrors.length) throw new UserErrors(scopeErrors);
    const changes = diffConfig(bundle, stored);
    const runtimes = mergedRuntimes(stored, bundle);

    const appNames = new Set([...bundle.applications.map((a) => a.name), ...bundle.services.map((s) => s.application)]);
    const applications: PreviewApplication[] = [];
    for (const appName of [...appNames].sort()) {
      const appDoc = bundle.applications.find((a) => a.name === appName) ?? stored.applications.get(appName)!.document;
      const storedApp = stored.applications.get(appName);
      const services = new Map([...stored.services.entries()].filter(([key]) => key.startsWith(`${appName}/`)).map(([, row]) => [row.name, serviceDoc(row)]));
      for (const s of bundle.services.filter((s) => s.application === appName)) services.set(s.name, s);

      const channels: PreviewChannel[] = appDoc.releaseChannels.map((c) => ({ name: c.name, runtime: c.runtime, services: [] }));
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
      applications.push({ name: appName, channels });
    }
    return { changes, applications, userErrors: [] };
  } catch (err) {
    if (err instanceof UserErrors) return { changes: [], applications: [], userErrors: err.errors };
    throw err;
  }
}
