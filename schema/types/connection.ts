import { GraphQLError, Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { Field, Int, ObjectType, type ClassType } from 'type-graphql';

@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => Boolean) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor?: string | null;
  @Field(() => String, { nullable: true }) endCursor?: string | null;
}

export interface ConnectionShape<T> {
  edges: { cursor: string; node: T }[];
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** Relay connection classes for one node type (named `<Name>Connection` / `<Name>Edge`). */
export function Connection<T extends object>(nodeType: ClassType<T>, name: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String) cursor!: string;
    @Field(() => nodeType) node!: T;
  }

  @ObjectType() // never returned itself, so never emitted: only the named subclasses are
  abstract class ConnectionBase implements ConnectionShape<T> {
    @Field(() => [Edge]) edges!: Edge[];
    @Field(() => [nodeType]) nodes!: T[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
    @Field(() => Int) totalCount!: number;
  }
  return ConnectionBase;
}

export const MAX_PAGE_SIZE = 500;

/** A position in one connection: the sort key of the last row seen. */
export type CursorKey = (string | number)[];

/**
 * Cursors are opaque keyset positions: base64url of the connection they belong to (its name, its
 * parent and its order) and the sort key of a row. Paging goes on after that key, so rows that
 * arrive meanwhile (newer events) neither repeat nor shift the page; a cursor of another
 * connection, or anything else, is refused.
 */
export function encodeCursor(connection: string, key: CursorKey): string {
  return Buffer.from(JSON.stringify({ c: connection, k: key })).toString('base64url');
}

function badArgument(argument: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', argument } });
}

export function decodeCursor(connection: string, cursor: string): CursorKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const { c, k } = (parsed ?? {}) as { c?: unknown; k?: unknown };
  if (typeof c !== 'string' || !Array.isArray(k) || !k.every((v) => typeof v === 'string' || typeof v === 'number')) {
    throw badArgument('after', 'after: not a cursor of this API; pass an endCursor or edge cursor exactly as it was returned');
  }
  if (c !== connection) throw badArgument('after', 'after: this cursor belongs to another connection (or another parent or order); page each connection with its own cursors');
  return k as CursorKey;
}

export interface PageRequest {
  limit: number;
  after?: CursorKey;
  connection: string;
}

/** `first`/`after` checked: a page size from 0 to MAX_PAGE_SIZE (null is not "all") and a cursor of this very connection. */
export function pageRequest(connection: string, first: number | null | undefined, after: string | null | undefined): PageRequest {
  if (first === null || first === undefined) throw badArgument('first', `first: give a page size from 0 to ${MAX_PAGE_SIZE}, or leave it out for the default; null is not a page size`);
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) throw badArgument('first', `first: ${first} is not a page size; give 0 to ${MAX_PAGE_SIZE} and page on with after`);
  return { limit: first, after: after === null || after === undefined ? undefined : decodeCursor(connection, after), connection };
}

/** Builds a page from rows fetched after the cursor with `limit + 1` (the extra row says whether there is a next page). */
export function pageOf<T>(rows: T[], request: PageRequest, keyOf: (row: T) => CursorKey, totalCount = 0): ConnectionShape<T> {
  const page = rows.slice(0, request.limit);
  const edges = page.map((node) => ({ cursor: encodeCursor(request.connection, keyOf(node)), node }));
  return {
    edges,
    nodes: page,
    totalCount,
    pageInfo: { hasNextPage: rows.length > request.limit, hasPreviousPage: request.after !== undefined, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

/** Whether the query selects `totalCount` on this connection: counting costs a query of its own. */
export function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  const visit = (set: SelectionSetNode | undefined, seen: Set<string>): boolean =>
    !!set?.selections.some((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === name;
      if (s.kind === Kind.INLINE_FRAGMENT) return visit(s.selectionSet, seen);
      if (seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      return visit(info.fragments[s.name.value]?.selectionSet, seen);
    });
  return info.fieldNodes.some((node) => visit(node.selectionSet, new Set()));
}
