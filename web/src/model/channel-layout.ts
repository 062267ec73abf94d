/**
 * Positions of the channel nodes: dependsOn edges run left to right (a release flows from
 * staging on the left to production on the right), channels of one rank stack top to bottom in
 * declaration order. Node sizes are given, not measured, so the layout is done in one pass.
 */
import dagre from '@dagrejs/dagre';

export interface ChannelBox {
  name: string;
  dependsOn: string[];
  width: number;
  height: number;
}

export interface Placed {
  name: string;
  x: number;
  y: number;
}

export function layoutChannels(channels: ChannelBox[]): Placed[] {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 32, ranksep: 72, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const names = new Set(channels.map((c) => c.name));
  for (const c of channels) g.setNode(c.name, { width: c.width, height: c.height });
  for (const c of channels) for (const up of c.dependsOn) if (names.has(up)) g.setEdge(up, c.name);
  dagre.layout(g);
  return channels.map((c) => {
    const node = g.node(c.name) as { x: number; y: number };
    // dagre gives centres; React Flow places nodes by their top-left corner.
    return { name: c.name, x: Math.round(node.x - c.width / 2), y: Math.round(node.y - c.height / 2) };
  });
}

/** Channels in an order where every channel comes after those it depends on (declaration order kept otherwise). */
export function pipelineOrder<C extends { name: string; dependsOn: string[] }>(channels: C[]): C[] {
  const placed = new Set<string>();
  const out: C[] = [];
  const pending = [...channels];
  while (pending.length) {
    const i = pending.findIndex((c) => c.dependsOn.every((d) => placed.has(d) || !channels.some((x) => x.name === d)));
    // The API refuses cycles; should one slip through, keep declaration order rather than loop.
    const [next] = pending.splice(i < 0 ? 0 : i, 1);
    placed.add(next!.name);
    out.push(next!);
  }
  return out;
}
