/**
 * Bringing stored Runtime configs to "every secret sealed with the current key":
 * - at every server start (`sealStoredSecrets`): clear values left by an older version or written
 *   by hand are sealed; values sealed with a previous key are sealed again with the current one;
 * - by `driftless secrets rotate-key` (`resealAll`), which needs no plugin: every `$sealed` value
 *   wherever it sits is opened with the key ring and sealed with the new current key.
 * Each row is written with optimistic locking, so a concurrent applyConfig on a running server
 * wins and the row is simply tried again.
 */
import { OptimisticLockError, type EntityManager } from '@mikro-orm/core';
import type { JsonObject } from '../compiler/types.js';
import { NotifierRow, RuntimeRow } from '../store/entities/index.js';
import { sealedKeyId } from '../notify/secret-values.js';
import { runtimeDoc } from '../services/stored-config.js';
import { isSealed, type SecretBox } from './seal.js';
import { isSecretRef, mapSecretFields } from './secret-fields.js';
import { runtimeDigest, type SchemaOf } from './runtime-secrets.js';

export interface SealReport {
  /** Rows written. */
  runtimes: number;
  /** Values sealed or sealed again. */
  values: number;
  /** Runtimes whose plugin is not loaded here: their clear values (if any) wait for a start that has it. */
  skipped: string[];
}

type Transform = (row: RuntimeRow) => { config: JsonObject; values: number } | undefined;

async function rewrite(em: EntityManager, box: SecretBox, transform: Transform): Promise<SealReport> {
  const report: SealReport = { runtimes: 0, values: 0, skipped: [] };
  for (let attempt = 0; attempt < 5; attempt++) {
    const fork = em.fork();
    const rows = await fork.find(RuntimeRow, {});
    let changed = 0;
    report.skipped = [];
    for (const row of rows) {
      const out = transform(row);
      if (out === undefined) {
        report.skipped.push(row.name);
        continue;
      }
      if (out.values === 0) continue;
      row.config = out.config;
      row.documentDigest = runtimeDigest(runtimeDoc(row), box);
      changed += out.values;
      report.runtimes++;
    }
    try {
      await fork.flush();
      report.values += changed;
      return report;
    } catch (err) {
      if (!(err instanceof OptimisticLockError)) throw err;
      report.runtimes = 0; // someone applied config meanwhile: read again and redo
    }
  }
  throw new Error('runtime configs kept changing while their secrets were sealed; try again');
}

/** At startup: seal clear secrets (by the plugins' schemas) and re-seal old-key values. */
export function sealStoredSecrets(em: EntityManager, box: SecretBox, schemaOf: SchemaOf): Promise<SealReport> {
  return rewrite(em, box, (row) => {
    const schema = schemaOf(row.plugin);
    let values = 0;
    const resealOld = (v: unknown): unknown => {
      if (isSealed(v) && !box.isCurrent(v)) {
        values++;
        return box.seal(box.open(v));
      }
      return v;
    };
    if (schema === undefined) {
      const config = walkSealed(row.config, resealOld) as JsonObject;
      return values > 0 ? { config, values } : undefined;
    }
    const config = mapSecretFields(row.config, schema, (v) => {
      if (isSecretRef(v)) return v;
      if (isSealed(v)) return resealOld(v);
      values++;
      return box.seal(v);
    }) as JsonObject;
    return { config, values };
  });
}

/** After a rotation: every sealed value, wherever it sits, sealed again with the current key. */
export function resealAll(em: EntityManager, box: SecretBox): Promise<SealReport> {
  return rewrite(em, box, (row) => {
    let values = 0;
    const config = walkSealed(row.config, (v) => {
      if (!isSealed(v) || box.isCurrent(v)) return v;
      values++;
      return box.seal(box.open(v));
    }) as JsonObject;
    return { config, values };
  });
}

/** Key ids that stored values are sealed with (rotate-key --prune keeps every key still in use). */
export async function keyIdsInUse(em: EntityManager): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const row of await em.fork().find(RuntimeRow, {})) {
    walkSealed(row.config, (v) => {
      if (isSealed(v)) ids.add(v.$sealed.split(':')[1] ?? '');
      return v;
    });
  }
  // Notifier webhook URLs and signing secrets (server/notify/secret-values.ts) use the same keys.
  for (const row of await em.fork().find(NotifierRow, {})) {
    for (const sealed of [row.sealedUrl, row.sealedSigningSecret]) if (sealed) ids.add(sealedKeyId(sealed));
  }
  return ids;
}

function walkSealed(value: unknown, fn: (v: unknown) => unknown): unknown {
  if (isSealed(value)) return fn(value);
  if (Array.isArray(value)) return value.map((v) => walkSealed(v, fn));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walkSealed(v, fn)]));
  return value;
}
