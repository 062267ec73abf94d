import type { ConfigBundle } from '../compiler/types.js';
import { userError, type UserErrorData } from '../domain/user-error.js';
import type { StoredConfig } from './stored-config.js';

/**
 * A service's `dependsOn` names services of its own application (stored, or in this config) and
 * never goes round in a circle: it orders the members of a multi-service release in a channel.
 */
export function checkServiceOrder(bundle: ConfigBundle, stored: StoredConfig): UserErrorData[] {
  const errors: UserErrorData[] = [];
  const byApp = new Map<string, Map<string, string[]>>();
  for (const [key, row] of stored.services) {
    const app = key.slice(0, key.indexOf('/'));
    if (!byApp.has(app)) byApp.set(app, new Map());
    byApp.get(app)!.set(row.name, row.document.dependsOn ?? []);
  }
  for (const s of bundle.services) {
    if (!byApp.has(s.application)) byApp.set(s.application, new Map());
    byApp.get(s.application)!.set(s.name, s.dependsOn ?? []);
  }
  for (const s of bundle.services) {
    const services = byApp.get(s.application)!;
    const index = bundle.origins.find((o) => o.kind === 'Service' && o.name === s.name)?.documentIndex;
    const path = ['documents', ...(index !== undefined ? [String(index)] : []), `Service ${s.name}`, 'dependsOn'];
    const where = index !== undefined ? `document ${index + 1} (Service ${s.name})` : `Service ${s.name}`;
    for (const dep of s.dependsOn ?? []) {
      if (dep === s.name) errors.push(userError('DEPENDENCY_CYCLE', `${where}: dependsOn: a service cannot depend on itself`, path));
      else if (!services.has(dep)) errors.push(userError('UNKNOWN_REFERENCE', `${where}: dependsOn: application ${s.application} has no service "${dep}"`, path));
    }
    const cycle = findCycle(s.name, services);
    if (cycle) errors.push(userError('DEPENDENCY_CYCLE', `${where}: dependsOn goes round in a circle: ${cycle.join(' → ')}`, path));
  }
  return errors;
}

function findCycle(start: string, services: Map<string, string[]>): string[] | undefined {
  const walk = (name: string, path: string[]): string[] | undefined => {
    for (const dep of services.get(name) ?? []) {
      if (dep === start && path.length > 1) return [...path, dep];
      if (dep === name || path.includes(dep)) continue;
      const found = walk(dep, [...path, dep]);
      if (found) return found;
    }
    return undefined;
  };
  return walk(start, [start]);
}
