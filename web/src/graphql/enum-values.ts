import schema from 'virtual:schema-introspection';

/** The values of an enum of the public schema, for filter menus that offer every one. */
export function enumValues(name: string): string[] {
  const types = (schema as { __schema: { types: readonly { kind: string; name: string; enumValues?: readonly { name: string }[] }[] } }).__schema.types;
  return types.find((t) => t.kind === 'ENUM' && t.name === name)?.enumValues?.map((v) => v.name) ?? [];
}
