import { useMemo, useRef } from 'react';
import { Background, Controls, ReactFlow, type NodeTypes } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { buildGraph, type ChannelFlowNode } from './graph-nodes.js';
import { ChannelNode } from './ChannelNode.js';
import type { PipelineApp } from './pipeline-model.js';

const NODE_TYPES: NodeTypes = { channel: ChannelNode };

/**
 * The channels as a graph, dependsOn as edges, laid out left to right. Read-only: nothing drags or
 * connects, the page scrolls over it, and every link inside a node is a normal tab stop.
 */
export function ChannelGraph({ app }: { app: PipelineApp }) {
  const previous = useRef(new Map<string, { deps: unknown[]; node: ChannelFlowNode }>());
  const { nodes, edges, height } = useMemo(() => {
    const g = buildGraph(app, previous.current);
    previous.current = g.next;
    return g;
  }, [app]);
  return (
    <div className="graph" style={{ height: Math.min(Math.max(height, 220), 760) }} role="region" aria-label={`${app.name} channel graph`}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        fitView
        fitViewOptions={{ padding: 0.08, maxZoom: 1 }}
        minZoom={0.15}
        maxZoom={1.5}
        nodesDraggable={false}
        nodesConnectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        elementsSelectable={false}
        zoomOnScroll={false}
        panOnScroll={false}
        preventScrolling={false}
        zoomOnDoubleClick={false}
        colorMode="system"
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
