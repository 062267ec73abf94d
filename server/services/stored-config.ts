import type { EntityManager } from '@mikro-orm/core';
import type { ApplicationDoc, RuntimeDoc, ServiceDoc } from '../compiler/types.js';
import { ApplicationRow, NotifierRow, RuntimeRow, ServiceRow } from '../store/entities/index.js';

/** The config as stored: what a new document may reference and what it is compared with. */
export interface StoredConfig {
  runtimes: Map<string, RuntimeRow>;
  applications: Map<string, ApplicationRow>;
  /** Keyed by `application/service`. */
  services: Map<string, ServiceRow>;
  notifiers: Map<string, NotifierRow>;
}

export async function loadStoredConfig(em: EntityManager): Promise<StoredConfig> {
  // One after another: callers run this inside a transaction, where they share one connection
  // (pg refuses a query on a client that is still running one).
  // A retired runtime (deleted, its channels' workloads still being removed) is no longer config.
  const runtimes = await em.find(RuntimeRow, { retiredAt: null });
  const applications = await em.find(ApplicationRow, {});
  const services = await em.find(ServiceRow, {});
  const notifiers = await em.find(NotifierRow, {});
  const appNameById = new Map(applications.map((a) => [a.id, a.name]));
  return {
    runtimes: new Map(runtimes.map((r) => [r.name, r])),
    applications: new Map(applications.map((a) => [a.name, a])),
    services: new Map(services.map((s) => [`${appNameById.get(s.applicationId)}/${s.name}`, s])),
    notifiers: new Map(notifiers.map((n) => [n.name, n])),
  };
}

export function runtimeDoc(row: RuntimeRow): RuntimeDoc {
  return { kind: 'Runtime', name: row.name, plugin: row.plugin, config: row.config, labels: row.labels, ...(row.maxConcurrentRollouts ? { maxConcurrentRollouts: row.maxConcurrentRollouts } : {}), ...(row.constants ? { constants: row.constants } : {}), ...(row.allowedApplications ? { allowedApplications: row.allowedApplications } : {}) };
}

export function applicationDoc(row: ApplicationRow): ApplicationDoc {
  return row.document;
}

export function serviceDoc(row: ServiceRow): ServiceDoc {
  return row.document;
}
