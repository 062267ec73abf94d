import DataLoader from 'dataloader';
import type { EntityManager, EntityMetadata, EntityProperty } from '@mikro-orm/core';
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { ReleaseRow, ServiceInstanceRow, ServiceRow } from '../server/store/entities/index.js';

/**
 * Lean reads for wide lists (a dashboard's 500 instances): only the columns a selection needs,
 * straight from SQL into plain objects, none of them entities. An instance row is ~3 KB of JSON
 * (compiled desired and target state, engine bookkeeping) and a release ~6 KB (a compiled state per
 * channel, its changes, a config snapshot); parsing, hydrating and snapshotting all of it for
 * `{ status reasons desiredRelease { label } }` was most of the dashboard's time.
 *
 * A lean row carries only its columns. Reading any other column of its entity throws, so a resolver that
 * needs more fails loudly in tests instead of reading `undefined`: a field may be served from a
 * lean row only if it is in the list of fields next to that row's columns.
 */

/** The instance columns each lean-served field reads (the id and channelId always come along). */
const INSTANCE_FIELD_COLUMNS: Record<string, readonly string[]> = {
  __typename: [],
  id: [],
  status: ['status'],
  statusSince: ['statusSince'],
  reasons: ['reasons'],
  paused: ['paused'],
  convergedAt: ['convergedAt'],
  version: ['version'],
  updatedAt: ['updatedAt'],
  service: ['serviceId'],
  channel: ['channelId'],
  desiredRelease: ['desiredReleaseId'],
  targetRelease: ['targetReleaseId'],
  convergedRelease: ['convergedReleaseId'],
};

/** Columns (entity property names) of each lean row, and the GraphQL fields they can serve. */
const LEAN = {
  instance: {
    entity: ServiceInstanceRow,
    columns: ['id', 'version', 'updatedAt', 'serviceId', 'channelId', 'desiredReleaseId', 'targetReleaseId', 'convergedReleaseId', 'convergedAt', 'status', 'reasons', 'statusSince', 'paused'],
    // service, channel and the three releases resolve from the ids above.
    fields: Object.keys(INSTANCE_FIELD_COLUMNS),
  },
  release: {
    entity: ReleaseRow,
    columns: ['id', 'serviceId', 'applicationId', 'number', 'params', 'createdBy', 'trigger', 'label', 'configGeneration', 'createdAt'],
    fields: ['__typename', 'id', 'number', 'label', 'trigger', 'configGeneration', 'params', 'createdBy', 'createdAt', 'service'],
  },
  service: {
    entity: ServiceRow,
    columns: ['id', 'version', 'createdAt', 'updatedAt', 'applicationId', 'name'],
    fields: ['__typename', 'id', 'name', 'version', 'createdAt', 'updatedAt', 'application'],
  },
} as const;

type Lean = typeof LEAN;
export type LeanKind = keyof Lean;

const allowed = Object.fromEntries(Object.entries(LEAN).map(([k, v]) => [k, new Set<string>(v.fields)])) as Record<LeanKind, Set<string>>;

type Fragments = GraphQLResolveInfo['fragments'];

/** Every selection of `nodes`' selection sets, through inline fragments and fragment spreads. */
function eachSelection(nodes: readonly FieldNode[], fragments: Fragments, visit: (field: FieldNode) => boolean): boolean {
  const seen = new Set<string>();
  const within = (set: SelectionSetNode | undefined): boolean =>
    !set ||
    set.selections.every((s) => {
      if (s.kind === Kind.FIELD) return visit(s);
      if (s.kind === Kind.INLINE_FRAGMENT) return within(s.selectionSet);
      if (seen.has(s.name.value)) return true;
      seen.add(s.name.value);
      const fragment = fragments[s.name.value];
      return !!fragment && within(fragment.selectionSet);
    });
  return nodes.every((node) => within(node.selectionSet));
}

/**
 * True when every field `nodes` select on their object (through fragments too) can be served
 * from a lean row of `kind`. `@skip`/`@include` are ignored: a field that might be selected counts
 * as selected.
 */
export function leanFields(nodes: readonly FieldNode[], fragments: Fragments, kind: LeanKind): boolean {
  const ok = allowed[kind];
  return eachSelection(nodes, fragments, (field) => ok.has(field.name.value));
}

/**
 * The columns of a lean instance row that serve this selection, or undefined when a selected field
 * needs the full row. Fewer columns: less for SQLite to copy into JS strings, nothing to decode
 * that no field reads (500 × `reasons` JSON for `instances { id status }` would be waste).
 */
export function leanInstanceColumns(info: GraphQLResolveInfo): readonly string[] | undefined {
  const needed = new Set<string>(['id', 'channelId']);
  const fits = eachSelection(info.fieldNodes, info.fragments, (field) => {
    const columns = INSTANCE_FIELD_COLUMNS[field.name.value];
    columns?.forEach((c) => needed.add(c));
    return !!columns;
  });
  return fits ? LEAN.instance.columns.filter((c) => needed.has(c)) : undefined;
}

export function leanSelection(info: GraphQLResolveInfo, kind: LeanKind): boolean {
  return leanFields(info.fieldNodes, info.fragments, kind);
}

/** The field nodes named `name` (under any alias) that `nodes` select. */
export function subFields(nodes: readonly FieldNode[], fragments: Fragments, name: string): FieldNode[] {
  const found: FieldNode[] = [];
  eachSelection(nodes, fragments, (field) => {
    if (field.name.value === name) found.push(field);
    return true;
  });
  return found;
}

/** The prototype of lean rows: reading a column of the entity that is not loaded throws. */
function guard(kind: string, meta: EntityMetadata, columns: readonly string[]): object {
  const proto = Object.create(null) as object;
  for (const prop of meta.props) {
    if (columns.includes(prop.name)) continue;
    Object.defineProperty(proto, prop.name, {
      get() {
        throw new Error(`lean ${kind} row has no column ${prop.name}: this field needs the full row (schema/lean-rows.ts)`);
      },
    });
  }
  return proto;
}

interface Reader<T> {
  sql: string;
  key: string;
  props: EntityProperty[];
  proto: object;
  convert: (value: unknown, prop: EntityProperty) => T;
}

function reader(em: EntityManager, kind: LeanKind, keyProp: string, columns: readonly string[] = LEAN[kind].columns): Reader<unknown> {
  const spec = { entity: LEAN[kind].entity, columns };
  const meta: EntityMetadata = em.getMetadata().get(spec.entity.name);
  const platform = em.getPlatform();
  const props = spec.columns.map((c) => meta.properties[c as never] as EntityProperty);
  const key = (meta.properties[keyProp as never] as EntityProperty).fieldNames[0]!;
  return {
    sql: `SELECT ${props.map((p) => p.fieldNames[0]).join(', ')} FROM ${meta.tableName} WHERE ${key} IN `,
    key,
    props,
    proto: guard(kind, meta, spec.columns),
    // The conversions MikroORM's hydration does for these column types, on both databases.
    convert: (value, prop) => {
      if (value === null || value === undefined) return value;
      if (prop.customType) return prop.customType.convertToJSValue(value, platform);
      if (prop.runtimeType === 'boolean') return Boolean(value);
      if (prop.runtimeType === 'number' && typeof value !== 'number') return Number(value);
      return value;
    },
  };
}

async function readLean<T>(em: EntityManager, r: Reader<unknown>, keys: readonly string[]): Promise<T[]> {
  const sql = `${r.sql}(${keys.map(() => '?').join(', ')})`;
  // Inside the request's transaction, if there is one, so a lean read sees what the ORM wrote.
  const raw = (await em.getConnection().execute(sql, [...keys], 'all', em.getTransactionContext())) as Record<string, unknown>[];
  return raw.map((columns) => {
    const row = Object.create(r.proto) as Record<string, unknown>;
    for (const prop of r.props) row[prop.name] = r.convert(columns[prop.fieldNames[0]!], prop);
    return row as T;
  });
}

function leanById<T extends { id: string }>(em: EntityManager, kind: LeanKind): DataLoader<string, T | undefined> {
  const r = reader(em, kind, 'id');
  return new DataLoader(async (ids) => {
    const map = new Map((await readLean<T>(em, r, ids)).map((row) => [row.id, row]));
    return ids.map((id) => map.get(id));
  });
}

function leanByParent<T>(em: EntityManager, kind: LeanKind, column: string, columns?: readonly string[]): DataLoader<string, T[]> {
  const r = reader(em, kind, column, columns);
  return new DataLoader(async (parentIds) => {
    const groups = new Map<string, T[]>(parentIds.map((id) => [id, []]));
    for (const row of await readLean<T>(em, r, parentIds)) groups.get((row as Record<string, string>)[column]!)?.push(row);
    return parentIds.map((id) => groups.get(id)!);
  });
}

/**
 * Lean loaders per request. Typed as the entity rows they stand for: only the columns in LEAN are
 * there, and resolvers reach them only when `leanSelection` said the selection fits.
 */
export function createLeanLoaders(em: EntityManager) {
  const instancesByColumns = new Map<string, DataLoader<string, ServiceInstanceRow[]>>();
  return {
    /** Instances by channel id, with only `columns` (see leanInstanceColumns); one loader per column set. */
    leanInstancesByChannel: (columns: readonly string[]): DataLoader<string, ServiceInstanceRow[]> => {
      const key = columns.join();
      let loader = instancesByColumns.get(key);
      if (!loader) instancesByColumns.set(key, (loader = leanByParent<ServiceInstanceRow>(em, 'instance', 'channelId', columns)));
      return loader;
    },
    leanRelease: leanById<ReleaseRow>(em, 'release'),
    leanService: leanById<ServiceRow>(em, 'service'),
  };
}
