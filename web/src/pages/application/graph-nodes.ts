import { MarkerType, type Edge, type Node } from '@xyflow/react';
import { layoutChannels } from '../../model/channel-layout.js';
import type { GateView } from '../../model/gates.js';
import { severity } from '../../model/status.js';
import { channelGates, type PipelineApp, type PipelineChannel, type PipelineInstance } from './pipeline-model.js';

/** Services a channel node lists before "+N more"; the grid below the graph has them all. */
export const MAX_ROWS = 8;
export const NODE_WIDTH = 330;

// Must match the fixed heights in styles/components.css (.channel-node and its rows): the layout
// is computed from them before the nodes are on screen.
const HEAD = 58;
const GATE_ROW = 22;
const ROW = 26;
const ROW_WITH_REASON = 44;
const MORE_ROW = 26;
const SECTION_GAP = 10;
const PADDING = 16;

export interface ChannelNodeData extends Record<string, unknown> {
  app: string;
  channel: PipelineChannel;
  gates: (GateView & { service?: string })[];
  rows: PipelineInstance[];
  hidden: number;
}

export type ChannelFlowNode = Node<ChannelNodeData, 'channel'>;

/** Worst first, then by name: what needs looking at is never behind "+N more". */
export function visibleRows(instances: PipelineInstance[]): { rows: PipelineInstance[]; hidden: number } {
  const sorted = [...instances].sort((a, b) => severity(b.status) - severity(a.status) || a.service.name.localeCompare(b.service.name));
  return { rows: sorted.slice(0, MAX_ROWS), hidden: Math.max(0, sorted.length - MAX_ROWS) };
}

export function nodeHeight(data: Pick<ChannelNodeData, 'gates' | 'rows' | 'hidden'>): number {
  const rows = data.rows.reduce((h, i) => h + (i.status === 'CONVERGED' ? ROW : ROW_WITH_REASON), 0);
  return HEAD + (data.gates.length ? SECTION_GAP + data.gates.length * GATE_ROW : 0) + SECTION_GAP + rows + (data.hidden ? MORE_ROW : 0) + (data.rows.length ? 0 : ROW) + PADDING;
}

/**
 * Nodes and edges for the channel graph. A channel whose data (and whose upstream channels) did
 * not change keeps its node object, so React Flow re-renders only the nodes a change touched.
 */
export function buildGraph(app: PipelineApp, previous: Map<string, { deps: unknown[]; node: ChannelFlowNode }>) {
  const datas = app.releaseChannels.map((channel) => {
    const deps = [channel, ...channel.dependsOn.map((d) => app.releaseChannels.find((c) => c.name === d))];
    const prev = previous.get(channel.id);
    if (prev && prev.deps.length === deps.length && prev.deps.every((d, i) => d === deps[i])) return { channel, deps, data: prev.node.data, reuse: prev.node };
    const { rows, hidden } = visibleRows(channel.instances);
    return { channel, deps, data: { app: app.name, channel, gates: channelGates(app, channel), rows, hidden } as ChannelNodeData, reuse: undefined };
  });
  const placed = layoutChannels(datas.map((d) => ({ name: d.channel.name, dependsOn: d.channel.dependsOn, width: NODE_WIDTH, height: nodeHeight(d.data) })));
  const next = new Map<string, { deps: unknown[]; node: ChannelFlowNode }>();
  const nodes: ChannelFlowNode[] = datas.map((d, i) => {
    const position = { x: placed[i]!.x, y: placed[i]!.y };
    const samePlace = d.reuse && d.reuse.position.x === position.x && d.reuse.position.y === position.y;
    const node: ChannelFlowNode = samePlace ? d.reuse! : { id: d.channel.id, type: 'channel', position, data: d.data, width: NODE_WIDTH, height: nodeHeight(d.data), draggable: false, selectable: false, connectable: false, focusable: false };
    next.set(d.channel.id, { deps: d.deps, node });
    return node;
  });
  const idOf = new Map(app.releaseChannels.map((c) => [c.name, c.id]));
  const edges: Edge[] = app.releaseChannels.flatMap((c) =>
    c.dependsOn.filter((d) => idOf.has(d)).map((d) => ({ id: `${d}->${c.name}`, source: idOf.get(d)!, target: c.id, type: 'smoothstep', focusable: false, markerEnd: { type: MarkerType.ArrowClosed } })),
  );
  const height = Math.max(...nodes.map((n) => n.position.y + (n.height ?? 0)), 0) + 24;
  return { nodes, edges, next, height };
}
