import {
  Background,
  Controls,
  type OnConnect,
  type OnEdgesChange,
  type OnNodesChange,
  ReactFlow,
  type NodeMouseHandler,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { type FlowEdge, nodeTypes, type StepNode } from './WorkflowGraph';

interface Props {
  label: string;
  nodes: StepNode[];
  edges: FlowEdge[];
  onNodesChange?: OnNodesChange<StepNode>;
  onEdgesChange?: OnEdgesChange<FlowEdge>;
  onConnect?: OnConnect;
  onNodeClick?: NodeMouseHandler<StepNode>;
  editable: boolean;
}

/** The workflow's graph; read-only (a run) or editable (drag, connect handles, Delete removes the selection). */
export const WorkflowCanvas = ({ label, nodes, edges, onNodesChange, onEdgesChange, onConnect, onNodeClick, editable }: Props) => (
  <div className="wf-canvas" role="region" aria-label={label}>
    <ReactFlow
      nodes={nodes}
      edges={edges}
      nodeTypes={nodeTypes}
      onNodesChange={onNodesChange}
      onEdgesChange={onEdgesChange}
      onConnect={onConnect}
      onNodeClick={onNodeClick}
      nodesDraggable={editable}
      nodesConnectable={editable}
      elementsSelectable
      deleteKeyCode={editable ? ['Delete', 'Backspace'] : null}
      colorMode="system"
      fitView
      fitViewOptions={{ padding: 0.25, maxZoom: 1.2 }}
      proOptions={{ hideAttribution: true }}
    >
      <Background />
      <Controls showInteractive={false} />
    </ReactFlow>
  </div>
);
