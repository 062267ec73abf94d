import { Field, ID, InterfaceType } from 'type-graphql';

export const NODE_TYPES = ['Runtime', 'Application', 'ReleaseChannel', 'Service', 'Release', 'ReleaseGroup', 'ServiceInstance', 'ApiToken', 'Event', 'Notifier'] as const;
export type NodeTypeName = (typeof NODE_TYPES)[number];

/** Global ids are opaque to clients: base64url of `Type:rowId`. */
export function toGlobalId(type: NodeTypeName, id: string): string {
  return Buffer.from(`${type}:${id}`).toString('base64url');
}

export function fromGlobalId(globalId: string): { type: NodeTypeName; id: string } | undefined {
  const decoded = Buffer.from(globalId, 'base64url').toString('utf8');
  const sep = decoded.indexOf(':');
  if (sep < 0) return undefined;
  const type = decoded.slice(0, sep) as NodeTypeName;
  if (!NODE_TYPES.includes(type)) return undefined;
  const id = decoded.slice(sep + 1);
  // Row ids are UUIDs or integers: anything else (a NUL byte, a megabyte) names nothing, and never reaches the database.
  if (!/^[0-9A-Za-z-]{1,36}$/.test(id)) return undefined;
  return { type, id };
}

@InterfaceType('Node', { description: 'An object with a global id; refetch it with `node(id:)`.', resolveType: (value: { __typename?: string }) => value.__typename })
export abstract class Node {
  @Field(() => ID, { description: 'Global id: identifies this one object of this one type; opaque (do not parse it).' })
  id!: string;
}
