import type { EdgeCondition, RunStatus, WorkflowEdge, WorkflowGraph, WorkflowStep } from './workflowModel';
import { isStepDone } from './workflowModel';

/** What to do next in a run, decided from its graph and its steps alone. */
export interface RunPlan {
  /** Steps whose turn came, with the input each gets. */
  start: { nodeId: string; input: unknown }[];
  /** Steps no edge lets run, with why. */
  skip: { nodeId: string; reason: string }[];
  /** Set once no step is pending or running any more (after applying `start` and `skip`). */
  end?: { status: Exclude<RunStatus, 'running' | 'cancelled'>; reason?: string };
}

const FAILED = new Set(['failed', 'timeout']);

/** Whether an edge from a parent that ended as `parent` lets its child run. A skipped or cancelled parent lets nothing run. */
export const edgeHolds = (when: EdgeCondition, parent: WorkflowStep): boolean => {
  switch (when) {
    case 'success':
      return parent.status === 'completed';
    case 'failure':
      return FAILED.has(parent.status);
    case 'always':
      return parent.status === 'completed' || FAILED.has(parent.status);
    case 'condition':
      return parent.status === 'completed' && parent.condition === true;
    case 'not-condition':
      return parent.status === 'completed' && parent.condition !== true;
  }
};

const describe = (e: WorkflowEdge, parent: WorkflowStep): string =>
  parent.status === 'skipped'
    ? `${e.from} was skipped`
    : `${e.from} ended ${parent.status}${parent.status === 'completed' ? ` with condition ${String(parent.condition ?? false)}` : ''}, edge needs ${e.when}`;

/**
 * The join rule: a step runs once all its parents are done, if at least one edge into it holds;
 * otherwise it is skipped (and so are the steps that only it could have started). A start node (no
 * parent) runs at once. Its input is the run's input for a start node; the parent's output for one
 * parent; an object keyed by parent id for several (skipped parents left out); the node's own
 * `input` when that comes out undefined.
 * A run fails when a step failed (or timed out) and no `failure` or `always` edge leads out of it,
 * or when a step's job was cancelled (on its own: cancelling the run ends it `cancelled`).
 */
export const planRun = (
  graph: WorkflowGraph,
  steps: Readonly<Record<string, WorkflowStep>>,
  runInput: unknown,
  outputOf: (nodeId: string) => unknown,
): RunPlan => {
  const status = new Map(Object.values(steps).map((s) => [s.nodeId, s.status]));
  const after = (nodeId: string): WorkflowStep => ({ ...steps[nodeId]!, status: status.get(nodeId)! });
  const plan: RunPlan = { start: [], skip: [] };

  // Skips can decide further steps, so go round until nothing changes.
  for (let changed = true; changed;) {
    changed = false;
    for (const node of graph.nodes) {
      if (status.get(node.id) !== 'pending') continue;
      const incoming = graph.edges.filter((e) => e.to === node.id);
      if (incoming.some((e) => !isStepDone(status.get(e.from)!))) continue;
      changed = true;
      const holding = incoming.filter((e) => edgeHolds(e.when, after(e.from)));
      if (incoming.length > 0 && holding.length === 0) {
        status.set(node.id, 'skipped');
        plan.skip.push({ nodeId: node.id, reason: `no edge into it held: ${incoming.map((e) => describe(e, after(e.from))).join('; ')}` });
        continue;
      }
      status.set(node.id, 'running');
      plan.start.push({ nodeId: node.id, input: stepInput(graph, node.id, steps, runInput, outputOf) });
    }
  }

  if ([...status.values()].some((s) => !isStepDone(s))) return plan;
  const unhandled = graph.nodes.find(
    (n) =>
      status.get(n.id) === 'cancelled' ||
      (FAILED.has(status.get(n.id)!) && !graph.edges.some((e) => e.from === n.id && (e.when === 'failure' || e.when === 'always'))),
  );
  if (unhandled) {
    const step = steps[unhandled.id]!;
    plan.end = { status: 'failed', reason: `step ${unhandled.id} ended ${step.status}${step.error ? `: ${step.error.message}` : ''}` };
  } else plan.end = { status: 'completed' };
  return plan;
};

/** A step's input (see planRun): the same whenever it is computed, so a step submitted again after a crash gets the same. */
export const stepInput = (
  graph: WorkflowGraph,
  nodeId: string,
  steps: Readonly<Record<string, WorkflowStep>>,
  runInput: unknown,
  outputOf: (nodeId: string) => unknown,
): unknown => {
  const own = graph.nodes.find((n) => n.id === nodeId)?.input;
  const incoming = graph.edges.filter((e) => e.to === nodeId);
  let flowing: unknown;
  if (incoming.length === 0) flowing = runInput;
  else if (incoming.length === 1) flowing = outputOf(incoming[0]!.from);
  else {
    const byParent: Record<string, unknown> = {};
    for (const e of incoming) {
      const output = steps[e.from]!.status === 'skipped' ? undefined : outputOf(e.from);
      if (output !== undefined) byParent[e.from] = output;
    }
    flowing = byParent;
  }
  return flowing === undefined ? own : flowing;
};
