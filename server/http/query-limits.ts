import {
  getNamedType,
  getNullableType,
  GraphQLError,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  Lexer,
  SchemaMetaFieldDef,
  Source,
  TokenKind,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/**
 * What one GraphQL request may ask of the server, checked before anything runs (docs/api.md,
 * "API limits"). Every number is a server setting (server/config.ts).
 */
export interface QueryLimits {
  /** Levels of nested selections; introspection fields do not count (their type chains are deep by design). */
  maxDepth: number;
  /** Estimated objects and fields the response holds (see `measureOperation`). */
  maxCost: number;
  /** Aliased fields, counted where fragments expand. */
  maxAliases: number;
  /** Directives, counted where fragments expand. */
  maxDirectives: number;
  /** Lexical tokens of the document. */
  maxTokens: number;
  /** Longest string in a variable or an argument, except config `documents` (bounded by the body size and the YAML limits). */
  maxStringLength: number;
}

/** A list field without a page size (e.g. `releaseChannels`, `instances`, introspection's `types`) counts as this many items. */
export const LIST_ESTIMATE = 10;
/** Page size of a connection whose `first` has no default. */
const CONNECTION_ESTIMATE = 50;

export interface OperationMeasure {
  cost: number;
  depth: number;
  aliases: number;
  directives: number;
  /** `__schema` selections: a schema is introspected once per request, not once per alias. */
  introspections: number;
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  /** One measure per fragment: the walk is linear in the document however often a fragment is spread. */
  memo: Map<string, LevelMeasure | undefined>;
  visiting: Set<string>;
  longStrings: GraphQLError[];
  maxStringLength: number;
  /** Variables given as a config `documents` field: bounded by the body size and the YAML limits instead. */
  documentVariables: Set<string>;
}

const ZERO: OperationMeasure = { cost: 0, depth: 0, aliases: 0, directives: 0, introspections: 0 };
/** Selections of `__schema` one request may make (clients introspect once; forty aliases of it were a 182 MB answer). */
export const MAX_INTROSPECTIONS = 1;

function fieldDefinition(schema: GraphQLSchema, parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === '__typename') return TypeNameMetaFieldDef;
  if (parent === schema.getQueryType()) {
    if (name === '__schema') return SchemaMetaFieldDef;
    if (name === '__type') return TypeMetaFieldDef;
  }
  if (isObjectType(parent) || isInterfaceType(parent)) return parent.getFields()[name];
  return undefined; // unions have only __typename; graphql's own rules report the rest
}

/** How many items a field stands for: the page size of a connection, an estimate for a plain list, else 1. */
function multiplierOf(walk: Walk, parent: GraphQLCompositeType, field: FieldNode, def: GraphQLField<unknown, unknown>): number {
  const firstArg = def.args.find((a) => a.name === 'first');
  if (firstArg && getNamedType(def.type).name.endsWith('Connection')) {
    const given = field.arguments?.find((a) => a.name.value === 'first');
    let value: unknown = firstArg.defaultValue ?? CONNECTION_ESTIMATE;
    if (given) value = valueFromAST(given.value, firstArg.type, walk.variables as Record<string, unknown>);
    // A missing or malformed value is refused by the resolver; cost it as the default meanwhile.
    const n = typeof value === 'number' && Number.isFinite(value) ? value : Number(firstArg.defaultValue ?? CONNECTION_ESTIMATE);
    return Math.max(1, n);
  }
  // `edges` and `nodes` of a connection are the page already counted at the connection.
  if (parent.name.endsWith('Connection')) return 1;
  return isListType(getNullableType(def.type)) && isCompositeType(getNamedType(def.type)) ? LIST_ESTIMATE : 1;
}

function checkStrings(walk: Walk, value: ValueNode, argumentPath: string): void {
  if (value.kind === Kind.STRING) {
    if (value.value.length > walk.maxStringLength && !argumentPath.endsWith('documents')) walk.longStrings.push(tooLong(argumentPath, value.value.length, walk.maxStringLength));
    else if (value.value.includes('\0')) walk.longStrings.push(nulByte(argumentPath));
  } else if (value.kind === Kind.VARIABLE) {
    if (argumentPath.endsWith('.documents')) walk.documentVariables.add(value.name.value);
  } else if (value.kind === Kind.LIST) {
    value.values.forEach((v, i) => checkStrings(walk, v, `${argumentPath}[${i}]`));
  } else if (value.kind === Kind.OBJECT) {
    for (const f of value.fields) checkStrings(walk, f.value, `${argumentPath}.${f.name.value}`);
  }
}

interface LevelMeasure extends OperationMeasure {
  /** Fragments spread at this level (directly or through inline fragments): their fields merge into this level. */
  spreads: string[];
}

/** The fields of one selection set itself, and the fragments it spreads at the same level. */
function measureLevel(walk: Walk, parent: GraphQLCompositeType, selectionSet: SelectionSetNode, introspection: boolean): LevelMeasure {
  let cost = 0;
  let depth = 0;
  let aliases = 0;
  let directives = 0;
  let introspections = 0;
  const spreads: string[] = [];
  for (const selection of selectionSet.selections) {
    directives += selection.directives?.length ?? 0;
    if (selection.kind === Kind.FIELD) {
      if (selection.alias) aliases += 1;
      if (selection.name.value === '__schema') introspections += 1;
      for (const arg of selection.arguments ?? []) checkStrings(walk, arg.value, `${selection.name.value}(${arg.name.value})`);
      const def = fieldDefinition(walk.schema, parent, selection.name.value);
      const inIntrospection = introspection || selection.name.value === '__schema' || selection.name.value === '__type';
      cost += 1;
      depth = Math.max(depth, inIntrospection ? 0 : 1);
      if (!def || !selection.selectionSet) continue;
      const child = getNamedType(def.type);
      if (!isCompositeType(child)) continue;
      const inner = measureSelections(walk, child, selection.selectionSet, inIntrospection);
      cost += multiplierOf(walk, parent, selection, def) * inner.cost;
      depth = Math.max(depth, inner.depth + (inIntrospection ? 0 : 1));
      aliases += inner.aliases;
      directives += inner.directives;
      introspections += inner.introspections;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition ? walk.schema.getType(selection.typeCondition.name.value) : parent;
      if (!type || !isCompositeType(type)) continue;
      const inner = measureLevel(walk, type, selection.selectionSet, introspection);
      cost += inner.cost;
      depth = Math.max(depth, inner.depth);
      aliases += inner.aliases;
      directives += inner.directives;
      introspections += inner.introspections;
      spreads.push(...inner.spreads);
    } else {
      spreads.push(selection.name.value);
    }
  }
  return { cost, depth, aliases, directives, introspections, spreads };
}

/**
 * A selection set with every fragment reachable at its level counted once: graphql merges the
 * fields of a fragment spread twice (or through two fragments) into one, so they cost once.
 */
function measureSelections(walk: Walk, parent: GraphQLCompositeType, selectionSet: SelectionSetNode, introspection: boolean): OperationMeasure {
  const own = measureLevel(walk, parent, selectionSet, introspection);
  const total: OperationMeasure = { cost: own.cost, depth: own.depth, aliases: own.aliases, directives: own.directives, introspections: own.introspections };
  const seen = new Set<string>();
  const pending = [...own.spreads];
  while (pending.length) {
    const name = pending.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const fragment = measureFragment(walk, name, introspection);
    if (!fragment) continue;
    total.cost += fragment.cost;
    total.depth = Math.max(total.depth, fragment.depth);
    total.aliases += fragment.aliases;
    total.directives += fragment.directives;
    total.introspections += fragment.introspections;
    pending.push(...fragment.spreads);
  }
  return total;
}

/** A fragment's own level, measured once per request however often it is spread. */
function measureFragment(walk: Walk, name: string, introspection: boolean): LevelMeasure | undefined {
  const key = `${introspection ? 'i' : 'o'}:${name}`;
  if (walk.memo.has(key)) return walk.memo.get(key);
  const fragment = walk.fragments.get(name);
  // Unknown fragments and cycles are reported by graphql's own validation rules.
  if (!fragment || walk.visiting.has(name)) return undefined;
  const type = walk.schema.getType(fragment.typeCondition.name.value);
  if (!type || !isCompositeType(type)) return undefined;
  walk.visiting.add(name);
  const measured = measureLevel(walk, type, fragment.selectionSet, introspection);
  walk.visiting.delete(name);
  walk.memo.set(key, measured);
  return measured;
}

/**
 * Cost is linear in the document: 1 per field, and the fields under a list multiplied by its size
 * — a connection by its `first` (from literals, variables or its default), a plain list by
 * LIST_ESTIMATE. A connection counts once: its `edges`/`nodes` do not multiply again. Each
 * fragment's own fields are measured once per request, and a fragment reachable twice at one level
 * counts once (graphql merges it), so nested fragments cost what they return and are measured in
 * time linear in the document. Introspection is costed like any other selection.
 */
export function measureOperation(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>, maxStringLength = Infinity): OperationMeasure & { longStrings: GraphQLError[]; documentVariables: Set<string> } {
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const walk: Walk = { schema, fragments, variables, memo: new Map(), visiting: new Set(), longStrings: [], maxStringLength, documentVariables: new Set() };
  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return { ...ZERO, longStrings: [], documentVariables: new Set() };
  const measured = measureSelections(walk, root, operation.selectionSet, false);
  return { ...measured, directives: measured.directives + (operation.directives?.length ?? 0), longStrings: walk.longStrings, documentVariables: walk.documentVariables };
}

/** Lexical tokens of a document, counted without building anything. */
export function countTokens(body: string, stopAfter: number): number {
  const lexer = new Lexer(new Source(body));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) if (++count > stopAfter) break;
  return count;
}

function limitError(message: string, code: string, details: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...details, http: { status: 400 } } });
}

function tooLong(path: string, length: number, limit: number): GraphQLError {
  return limitError(`${path} is ${length} characters long; the limit is ${limit} (DRIFTLESS_MAX_STRING_LENGTH)`, 'BAD_USER_INPUT', { argument: path, length, limit });
}

/** No name, id or text of this API holds a NUL byte, and PostgreSQL cannot store one. */
function nulByte(path: string): GraphQLError {
  return limitError(`${path} contains a NUL byte (\\u0000), which no name, id or text may hold`, 'BAD_USER_INPUT', { argument: path });
}

/** Variables are client data of any shape: strings over the limit or with a NUL byte are refused with their path. */
function checkVariableStrings(value: unknown, path: string, limit: number, out: GraphQLError[], exempt = false): void {
  if (out.length >= 10) return;
  if (typeof value === 'string') {
    if (value.length > limit && !exempt && !path.endsWith('.documents')) out.push(tooLong(path, value.length, limit));
    else if (value.includes('\0')) out.push(nulByte(path));
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkVariableStrings(v, `${path}[${i}]`, limit, out));
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k.includes('\0')) out.push(nulByte(`${path}.${JSON.stringify(k)}`));
      checkVariableStrings(v, `${path}.${k}`, limit, out);
    }
  }
}

/**
 * Every limit of one request, in one place, for both transports (HTTP and WebSocket). Returns the
 * errors to answer with; empty when the request may run.
 */
export function checkRequestLimits(
  schema: GraphQLSchema,
  limits: QueryLimits,
  request: { document: DocumentNode; variables?: Record<string, unknown> | null; operationName?: string | null },
): GraphQLError[] {
  const body = request.document.loc?.source.body;
  if (body !== undefined) {
    const tokens = countTokens(body, limits.maxTokens);
    if (tokens > limits.maxTokens) return [limitError(`the query has more than ${limits.maxTokens} tokens (DRIFTLESS_MAX_QUERY_TOKENS)`, 'QUERY_TOO_LARGE', { limit: limits.maxTokens })];
  }
  const variables = request.variables ?? {};
  const errors: GraphQLError[] = [];
  const operations = request.document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = request.operationName ? operations.find((o) => o.name?.value === request.operationName) : operations.length === 1 ? operations[0] : undefined;
  const m = operation ? measureOperation(schema, request.document, operation, variables, limits.maxStringLength) : undefined;
  for (const [name, value] of Object.entries(variables)) checkVariableStrings(value, `$${name}`, limits.maxStringLength, errors, m?.documentVariables.has(name));
  if (!m) return errors; // graphql reports a missing or ambiguous operation itself
  errors.push(...m.longStrings);
  if (m.depth > limits.maxDepth) errors.push(limitError(`query is ${m.depth} levels deep; the limit is ${limits.maxDepth} (DRIFTLESS_MAX_QUERY_DEPTH)`, 'QUERY_TOO_DEEP', { depth: m.depth, limit: limits.maxDepth }));
  if (m.cost > limits.maxCost) {
    errors.push(limitError(`query costs ${m.cost > Number.MAX_SAFE_INTEGER ? `more than ${Number.MAX_SAFE_INTEGER}` : m.cost} (fields × page sizes); the limit is ${limits.maxCost} (DRIFTLESS_MAX_QUERY_COST): ask for fewer items per page`, 'QUERY_TOO_COSTLY', { cost: m.cost, limit: limits.maxCost }));
  }
  if (m.aliases > limits.maxAliases) errors.push(limitError(`query has ${m.aliases} aliases; the limit is ${limits.maxAliases} (DRIFTLESS_MAX_QUERY_ALIASES)`, 'QUERY_TOO_LARGE', { aliases: m.aliases, limit: limits.maxAliases }));
  if (m.introspections > MAX_INTROSPECTIONS) errors.push(limitError(`query introspects the schema ${m.introspections} times; once per request is enough`, 'QUERY_TOO_COSTLY', { introspections: m.introspections, limit: MAX_INTROSPECTIONS }));
  if (m.directives > limits.maxDirectives) errors.push(limitError(`query has ${m.directives} directives; the limit is ${limits.maxDirectives}`, 'QUERY_TOO_LARGE', { directives: m.directives, limit: limits.maxDirectives }));
  return errors;
}
