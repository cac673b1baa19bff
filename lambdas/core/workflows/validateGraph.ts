import { ValidationError } from '../errors';
import { EdgeConditions, type WorkflowEdge, type WorkflowGraph, type WorkflowNode } from './workflowModel';

export const NODE_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Steps of one workflow: every step's state lives in the one run item (DynamoDB's 400 KB). */
export const MAX_NODES = 50;
export const MAX_EDGES = 200;

/** Node ids in an order where every parent comes before its children, or a node left out by a cycle. */
export const topologicalOrder = (nodes: readonly WorkflowNode[], edges: readonly WorkflowEdge[]): string[] | { cycleAt: string } => {
  const indegree = new Map(nodes.map((n) => [n.id, 0]));
  for (const e of edges) indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
  const ready = nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift()!;
    order.push(id);
    for (const e of edges) {
      if (e.from !== id) continue;
      const left = indegree.get(e.to)! - 1;
      indegree.set(e.to, left);
      if (left === 0) ready.push(e.to);
    }
  }
  if (order.length === nodes.length) return order;
  return { cycleAt: nodes.find((n) => !order.includes(n.id))!.id };
};

/**
 * Checks a workflow's graph on its own (events are checked by the caller, which reads the store).
 * Start nodes are those with no incoming edge; in a DAG every node is reached from one, so a node
 * "no start node reaches" can only sit on a cycle, which is reported as such.
 * @throws ValidationError naming the node or edge at fault.
 */
export const validateGraph = (graph: WorkflowGraph): void => {
  const { nodes, edges } = graph;
  if (!Array.isArray(nodes) || nodes.length === 0) throw new ValidationError('nodes', 'must have at least one node');
  if (nodes.length > MAX_NODES) throw new ValidationError('nodes', `must have at most ${MAX_NODES} nodes`);
  if (!Array.isArray(edges)) throw new ValidationError('edges', 'must be a list');
  if (edges.length > MAX_EDGES) throw new ValidationError('edges', `must have at most ${MAX_EDGES} edges`);
  const seen = new Set<string>();
  nodes.forEach((n, i) => {
    if (typeof n.id !== 'string' || !NODE_ID.test(n.id))
      throw new ValidationError(`nodes[${i}].id`, 'must be 1 to 64 letters, digits, _ or -');
    if (seen.has(n.id)) throw new ValidationError(`nodes[${i}].id`, `duplicate node id "${n.id}"`);
    seen.add(n.id);
  });
  const pairs = new Set<string>();
  edges.forEach((e, i) => {
    if (!seen.has(e.from)) throw new ValidationError(`edges[${i}].from`, `unknown node "${e.from}"`);
    if (!seen.has(e.to)) throw new ValidationError(`edges[${i}].to`, `unknown node "${e.to}"`);
    if (e.from === e.to) throw new ValidationError(`edges[${i}]`, `node "${e.from}" cannot follow itself (a cycle)`);
    if (!(EdgeConditions as readonly string[]).includes(e.when))
      throw new ValidationError(`edges[${i}].when`, `must be one of ${EdgeConditions.join(', ')}`);
    const pair = `${e.from}\u0000${e.to}`;
    if (pairs.has(pair)) throw new ValidationError(`edges[${i}]`, `a second edge from "${e.from}" to "${e.to}"`);
    pairs.add(pair);
  });
  const order = topologicalOrder(nodes, edges);
  if (Array.isArray(order)) return;
  const cycle = findCycle(nodes, edges);
  if (cycle) throw new ValidationError('edges', `cycle ${cycle.join(' -> ')}`);
  throw new ValidationError('nodes', `node "${order.cycleAt}" is not reached from any start node (it follows a cycle)`);
};

/** One cycle as a path of node ids that ends where it starts, if the graph has one. */
const findCycle = (nodes: readonly WorkflowNode[], edges: readonly WorkflowEdge[]): string[] | undefined => {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    if (state.get(id) === 'done') return undefined;
    state.set(id, 'open');
    path.push(id);
    for (const e of edges) {
      if (e.from !== id) continue;
      const found = visit(e.to);
      if (found) return found;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const n of nodes) {
    const found = visit(n.id);
    if (found) return found;
  }
  return undefined;
};
