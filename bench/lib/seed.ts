/**
 * Bulk loading for benchmarks. One template application (channels × services on the fake runtime)
 * goes through the real API (applyConfig, then createRelease per service), so every row has the
 * shape the API writes. Copies of it are then inserted with plain SQL into the same tables, with
 * fresh ids, which is what makes 100,000 instances take seconds instead of hours.
 */
import type { MikroORM } from '@mikro-orm/core';
import { partitionOf } from '../../server/engine/partition-of.js';
import type { FakeInstanceState } from '@driftless/runtime-fake';

export const TEMPLATE_APP = 'bench-app-0000';
export const ADMIN_TOKEN = 'dl_bench_admin_token_0123456789abcdefghijklmnopqrstu';

export interface Shape {
  applications: number;
  channels: number;
  services: number;
  /** Channels after the first depend on it (a release reaches c0 first). */
  chain: boolean;
  /** converged: every instance runs its desired release (steady state); fresh: just released, nothing applied yet. */
  state: 'converged' | 'fresh';
  /** Spread of the first check of converged instances (ms from now); fresh ones are due at once. */
  spreadMs?: number;
  /** Copies (not the template) are due only in a day, until a benchmark makes them due. */
  holdCopies?: boolean;
}

export function appName(k: number): string {
  return `bench-app-${String(k).padStart(4, '0')}`;
}

export function templateConfig(shape: Pick<Shape, 'channels' | 'services' | 'chain'>): string {
  const channels = Array.from({ length: shape.channels }, (_, c) => `  - name: c${c}\n    runtime: fake\n${c > 0 && shape.chain ? '    dependsOn: [c0]\n' : ''}`).join('');
  const services = Array.from(
    { length: shape.services },
    (_, s) => `---\nkind: Service\nname: s${String(s).padStart(2, '0')}\napplication: ${TEMPLATE_APP}\nparameters: [{ name: version, required: true }]\nspec: { replicas: 1 }\n`,
  ).join('');
  return `kind: Runtime\nname: fake\nplugin: fake\n---\nkind: Application\nname: ${TEMPLATE_APP}\nreleaseChannels:\n${channels}${services}`;
}

export async function gql(url: string, query: string, variables: Record<string, unknown> = {}): Promise<any> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (body.errors?.length || !res.ok) throw new Error(`GraphQL failed (${res.status}): ${JSON.stringify(body.errors)}`);
  return body.data;
}

const APPLY = `mutation($d: String!) { applyConfig(input: { documents: $d }) { userErrors { code message path } } }`;
export const CREATE_RELEASE = `mutation($a: String!, $s: String!, $p: JSONObject!) { createRelease(input: { application: $a, service: $s, params: $p }) { release { id } userErrors { code message } } }`;

/** The template through the API: config, then release v1 of every service. */
export async function seedTemplate(url: string, shape: Shape): Promise<void> {
  const applied = await gql(url, APPLY, { d: templateConfig(shape) });
  if (applied.applyConfig.userErrors.length) throw new Error(JSON.stringify(applied.applyConfig.userErrors));
  for (let s = 0; s < shape.services; s++) {
    const r = await gql(url, CREATE_RELEASE, { a: TEMPLATE_APP, s: `s${String(s).padStart(2, '0')}`, p: { version: 'v1' } });
    if (r.createRelease.userErrors.length) throw new Error(JSON.stringify(r.createRelease.userErrors));
  }
}

type Row = Record<string, unknown>;
type Exec = (sql: string, params?: unknown[], method?: 'all' | 'run') => Promise<any>;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/**
 * Copies the template application `shape.applications - 1` times with SQL (and first rewrites the
 * template's instances into the requested state). Returns what the fake runtime must hold for
 * converged instances to be converged there too.
 */
export async function cloneTemplate(orm: MikroORM, kind: 'sqlite' | 'postgresql', shape: Shape): Promise<Omit<FakeInstanceState, 'namespace' | 'appliedAt'>[]> {
  const connection = orm.em.getConnection() as unknown as { execute: (sql: string, params?: unknown[], method?: string, ctx?: unknown) => Promise<any> };
  const exec: Exec = (sql, params = [], method = 'all') => connection.execute(sql, params, method);
  const [app] = (await exec('SELECT * FROM applications WHERE name = ?', [TEMPLATE_APP])) as Row[];
  if (!app) throw new Error('template application missing');
  const channels = (await exec('SELECT * FROM release_channels WHERE application_id = ?', [app.id])) as Row[];
  const services = (await exec('SELECT * FROM services WHERE application_id = ?', [app.id])) as Row[];
  const releases = (await exec('SELECT * FROM releases WHERE application_id = ?', [app.id])) as Row[];
  const instances = (await exec('SELECT * FROM service_instances WHERE application_id = ?', [app.id])) as Row[];
  const now = Date.now();
  const spread = shape.spreadMs ?? 0;
  const channelName = new Map(channels.map((c) => [String(c.id), String(c.name)]));
  const serviceName = new Map(services.map((s) => [String(s.id), String(s.name)]));

  const text = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v));
  const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  const template = instances.map((row) => {
    const r = { ...row };
    const desired = parse(r.desired_state);
    if (shape.state === 'converged') {
      r.target_release_id = r.desired_release_id;
      r.target_state = text(desired);
      r.converged_release_id = r.desired_release_id;
      r.converged_at = now;
      r.status = 'CONVERGED';
      r.reasons = '[]';
      r.status_since = now;
      r.observed = JSON.stringify({ objects: [{ name: serviceName.get(String(r.service_id)), status: 'SUCCEEDED', versions: [{ version: r.desired_release_id, replicas: 1, availableReplicas: 1, active: true, drifted: false }] }] });
      r.engine_state = JSON.stringify({ mode: 'rollout', rolloutStartedAt: now, attempts: 0, pendingTicks: 0, verifiedAt: now, satisfied: { releaseId: r.desired_release_id, keys: [] }, history: [{ releaseId: r.desired_release_id, state: desired, convergedAt: now }] });
    }
    r.lease_owner = null;
    r.lease_expires_at = null;
    return r;
  });

  const ids = new Set<string>([app, ...channels, ...services, ...releases, ...instances].map((r) => String(r.id)));
  const states: Omit<FakeInstanceState, 'namespace' | 'appliedAt'>[] = [];
  const tables: [string, Row[]][] = [
    ['applications', [app]],
    ['release_channels', channels],
    ['services', services],
    ['releases', releases],
    ['service_instances', template],
  ];
  const pg = kind === 'postgresql';
  const bool = (v: unknown) => (pg ? v === true || v === 1 || v === '1' || v === 't' : v === true || v === 1 || v === '1' ? 1 : 0);
  const booleanColumns = new Set(['paused']);

  // The template itself is rewritten in place (its instances get the requested state); copies are inserted.
  await exec(`DELETE FROM service_instances WHERE application_id = ?`, [app.id], 'run');
  const BATCH = 400;
  for (const [table, rows] of tables) {
    if (rows.length === 0) continue;
    const columns = Object.keys(rows[0]!);
    const pending: unknown[][] = [];
    let trx: unknown;
    const flush = async () => {
      if (pending.length === 0) return;
      const tuple = `(${columns.map(() => '?').join(',')})`;
      await connection.execute(`INSERT INTO ${table} (${columns.join(',')}) VALUES ${pending.map(() => tuple).join(',')}`, pending.flat(), 'run', trx);
      pending.length = 0;
    };
    await orm.em.fork().transactional(async (em) => {
    trx = em.getTransactionContext();
    for (let k = table === 'service_instances' ? 0 : 1; k < shape.applications; k++) {
      const prefix = k.toString(16).padStart(8, '0');
      const map = (v: unknown): unknown => {
        if (v === null || v === undefined) return null;
        if (typeof v === 'boolean') return v;
        if (typeof v === 'number' || typeof v === 'bigint') return v;
        const s = typeof v === 'string' ? v : JSON.stringify(v);
        if (k === 0) return s;
        return s.replace(UUID, (id) => (ids.has(id) ? prefix + id.slice(8) : id)).replaceAll(TEMPLATE_APP, appName(k));
      };
      for (const row of rows) {
        const values = columns.map((c) => (booleanColumns.has(c) ? bool(row[c]) : map(row[c])));
        if (table === 'service_instances') {
          const at = shape.holdCopies && k > 0 ? now + 86_400_000 : shape.state === 'converged' ? now + Math.floor(Math.random() * spread) : now;
          values[columns.indexOf('next_check_at')] = at;
          // A copy's id is new, and so is its partition.
          values[columns.indexOf('partition')] = partitionOf(String(values[columns.indexOf('id')]));
          if (shape.state === 'converged') {
            states.push({
              instanceId: String(values[columns.indexOf('id')]),
              application: appName(k),
              channel: channelName.get(String(row.channel_id))!,
              service: serviceName.get(String(row.service_id))!,
              version: String(values[columns.indexOf('desired_release_id')]),
              replicas: 1,
              availableReplicas: 1,
              status: 'SUCCEEDED',
              drifted: false,
            });
          }
        }
        pending.push(values);
        if (pending.length >= BATCH) await flush();
      }
    }
    await flush();
    });
  }
  await exec('ANALYZE', [], 'run');
  return states;
}
