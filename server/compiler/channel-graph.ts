/** The dependsOn graph of an application's channels: cycles and a dependency-respecting order. */

export interface GraphNode {
  name: string;
  dependsOn: readonly string[];
}

/**
 * Every distinct cycle, each as names with the first repeated at the end
 * (`['staging', 'production', 'staging']`), starting at the channel declared first.
 * Edges to unknown channels are ignored; they are reported as unknown references.
 */
export function findCycles(nodes: readonly GraphNode[]): string[][] {
  // First declaration wins; a duplicate channel name is reported on its own.
  const position = new Map<string, number>();
  nodes.forEach((n, i) => position.has(n.name) || position.set(n.name, i));
  const edges = new Map<string, string[]>();
  for (const n of nodes) if (!edges.has(n.name)) edges.set(n.name, n.dependsOn.filter((d) => position.has(d)));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const cycles = new Map<string, string[]>();

  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const next of edges.get(name) ?? []) {
      if (state.get(next) === 'visiting') {
        const loop = stack.slice(stack.indexOf(next));
        // Rotate so the same cycle found from another entry point is reported once.
        const first = loop.reduce((a, b) => (position.get(a)! <= position.get(b)! ? a : b));
        const rotated = [...loop.slice(loop.indexOf(first)), ...loop.slice(0, loop.indexOf(first))];
        cycles.set(rotated.join('\u0000'), [...rotated, first]);
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const node of nodes) if (!state.has(node.name)) visit(node.name);
  return [...cycles.values()].sort((a, b) => position.get(a[0]!)! - position.get(b[0]!)!);
}

/**
 * Channels ordered so each comes after everything it depends on; otherwise declaration order
 * (Kahn's algorithm, always taking the earliest declared ready channel). Undefined on a cycle.
 */
export function orderChannels<T extends GraphNode>(nodes: readonly T[]): T[] | undefined {
  const known = new Set(nodes.map((n) => n.name));
  const placed = new Set<string>();
  const ordered: T[] = [];
  while (ordered.length < nodes.length) {
    const next = nodes.find((n) => !placed.has(n.name) && n.dependsOn.every((d) => placed.has(d) || !known.has(d)));
    if (!next) return undefined;
    placed.add(next.name);
    ordered.push(next);
  }
  return ordered;
}
