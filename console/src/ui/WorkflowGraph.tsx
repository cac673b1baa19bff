import { type Edge, Handle, MarkerType, type Node, type NodeProps, Position } from '@xyflow/react';
import { type EdgeCondition, edgeConditions, type WorkflowEdge, type WorkflowNode } from '../api/workflowTypes';

/** What a step's box shows: its id, its event, and in a run its status. */
export interface StepData extends Record<string, unknown> {
  step: WorkflowNode;
  eventName?: string;
  status?: string;
}
export type StepNode = Node<StepData, 'step'>;

export const StepBox = ({ data }: NodeProps<StepNode>) => (
  <div className="wf-step" data-step={data.step.id} data-status={data.status}>
    <Handle type="target" position={Position.Left} aria-label={`into ${data.step.id}`} />
    <strong>{data.step.id}</strong>
    <span className="wf-step-event">{data.eventName ?? data.step.eventId}</span>
    {data.status ? <span className={`badge status-${data.status}`}>{data.status}</span> : null}
    <Handle type="source" position={Position.Right} aria-label={`out of ${data.step.id}`} />
  </div>
);

export const nodeTypes = { step: StepBox };

/** Edge colours (workflows.css holds the same per theme); the label carries the condition too. */
const whenColour: Record<EdgeCondition, string> = {
  success: 'var(--ok)',
  failure: 'var(--danger)',
  always: 'var(--muted)',
  condition: 'var(--wf-condition)',
  'not-condition': 'var(--warn)',
};

export const edgeId = (e: Pick<WorkflowEdge, 'from' | 'to'>) => `${e.from}->${e.to}`;

export type FlowEdge = Edge<{ when: EdgeCondition }>;

export const flowEdgeOf = (e: WorkflowEdge): FlowEdge => ({
  id: edgeId(e),
  source: e.from,
  target: e.to,
  data: { when: e.when },
  label: e.when,
  className: `wf-edge when-${e.when}`,
  markerEnd: { type: MarkerType.ArrowClosed, color: whenColour[e.when] },
  style: { stroke: whenColour[e.when] },
  labelStyle: { fill: whenColour[e.when] },
});

/** Columns by depth (longest path from a start step), rows in order: readable without a layout library. */
export const layout = (nodes: WorkflowNode[], edges: WorkflowEdge[]): Record<string, { x: number; y: number }> => {
  const depth = new Map(nodes.map((n) => [n.id, 0]));
  for (let pass = 0; pass < nodes.length; pass++) {
    let changed = false;
    for (const e of edges) {
      const d = (depth.get(e.from) ?? 0) + 1;
      if (depth.has(e.to) && d > depth.get(e.to)!) {
        depth.set(e.to, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const rows = new Map<number, number>();
  return Object.fromEntries(
    nodes.map((n) => {
      const col = depth.get(n.id) ?? 0;
      const row = rows.get(col) ?? 0;
      rows.set(col, row + 1);
      return [n.id, { x: col * 240, y: row * 110 }];
    }),
  );
};

export const flowNodesOf = (
  nodes: WorkflowNode[],
  edges: WorkflowEdge[],
  extra: (n: WorkflowNode) => Omit<StepData, 'step'>,
): StepNode[] => {
  const at = layout(nodes, edges);
  return nodes.map((n) => ({
    id: n.id,
    type: 'step',
    position: at[n.id]!,
    data: { step: n, ...extra(n) },
  }));
};

/** The colours of the edge conditions, each named, so colour is never the only signal. */
export const WorkflowLegend = () => (
  <ul className="wf-legend" aria-label="Edge conditions">
    {edgeConditions.map((w) => (
      <li key={w}>
        <svg width="28" height="10" aria-hidden="true">
          <line x1="0" y1="5" x2="28" y2="5" className={`wf-legend-line when-${w}`} />
        </svg>
        {w}
      </li>
    ))}
  </ul>
);
