import { contentDigest } from '../compiler/index.js';
import type { ConfigBundle, ConfigDoc, DocumentKind, RuntimeDoc } from '../compiler/types.js';
import type { StoredConfig } from './stored-config.js';

export type ChangeAction = 'CREATE' | 'UPDATE' | 'UNCHANGED';

export interface ConfigChange {
  kind: DocumentKind;
  name: string;
  /** For services: the application they belong to. */
  application?: string;
  action: ChangeAction;
  digest: string;
  doc: ConfigDoc;
}

/** Digest of a normalized document: what decides whether a re-apply changes anything. */
export function documentDigest(doc: ConfigDoc): string {
  return contentDigest(doc);
}

/** Compares parsed documents with what is stored. Pure apart from reading the loaded rows. */
export function diffConfig(bundle: ConfigBundle, stored: StoredConfig, runtimeDigest: (doc: RuntimeDoc) => string = documentDigest): ConfigChange[] {
  const changes: ConfigChange[] = [];
  const classify = (existingDigest: string | undefined, digest: string): ChangeAction =>
    existingDigest === undefined ? 'CREATE' : existingDigest === digest ? 'UNCHANGED' : 'UPDATE';
  for (const doc of bundle.runtimes) {
    const digest = runtimeDigest(doc);
    changes.push({ kind: 'Runtime', name: doc.name, action: classify(stored.runtimes.get(doc.name)?.documentDigest, digest), digest, doc });
  }
  for (const doc of bundle.applications) {
    const digest = documentDigest(doc);
    changes.push({ kind: 'Application', name: doc.name, action: classify(stored.applications.get(doc.name)?.documentDigest, digest), digest, doc });
  }
  for (const doc of bundle.services) {
    const digest = documentDigest(doc);
    const existing = stored.services.get(`${doc.application}/${doc.name}`)?.documentDigest;
    changes.push({ kind: 'Service', name: doc.name, application: doc.application, action: classify(existing, digest), digest, doc });
  }
  for (const doc of bundle.notifiers) {
    const digest = documentDigest(doc);
    changes.push({ kind: 'Notifier', name: doc.name, action: classify(stored.notifiers.get(doc.name)?.documentDigest, digest), digest, doc });
  }
  return changes;
}
