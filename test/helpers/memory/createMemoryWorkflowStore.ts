import { ConflictError, ValidationError } from '../../../lambdas/core/errors';
import type { Workflow, WorkflowRun } from '../../../lambdas/core';
import type { WorkflowStore } from '../../../lambdas/core/ports';
import { listNewestFirst } from './createMemoryStore';

const copy = <T>(v: T): T => structuredClone(v);
const part = (field: string, v: string): string => {
  if (typeof v !== 'string' || v.length === 0 || v.includes('#'))
    throw new ValidationError(field, 'must be a non-empty string without "#"');
  return v;
};

/** The WorkflowStore in memory, with the DynamoDB adapter's semantics (runs created once, version-checked updates). */
export const createMemoryWorkflowStore = (): WorkflowStore => {
  const workflows = new Map<string, Workflow>();
  const runs = new Map<string, WorkflowRun>();
  const keyOf = (tenant: string, id: string, field: string) => `${part('tenant', tenant)}#${part(field, id)}`;

  return {
    async put(w) {
      workflows.set(keyOf(w.tenant, w.id, 'workflowId'), copy(w));
    },
    async get(tenant, id) {
      const w = workflows.get(keyOf(tenant, id, 'workflowId'));
      return w ? copy(w) : undefined;
    },
    async list(tenant, q) {
      part('tenant', tenant);
      const rows = [...workflows.values()].filter((w) => w.tenant === tenant).map((w) => ({ sortKey: `${w.createdAt}#${w.id}`, value: w }));
      return listNewestFirst(rows, q);
    },
    async delete(tenant, id) {
      return workflows.delete(keyOf(tenant, id, 'workflowId'));
    },
    async createRun(run) {
      const k = keyOf(run.tenant, run.id, 'workflowRunId');
      if (runs.has(k)) throw new ConflictError(`workflow run ${run.id} already exists`);
      runs.set(k, copy(run));
    },
    async getRun(tenant, id) {
      const r = runs.get(keyOf(tenant, id, 'workflowRunId'));
      return r ? copy(r) : undefined;
    },
    async updateRun(run) {
      const k = keyOf(run.tenant, run.id, 'workflowRunId');
      const stored = runs.get(k);
      if (!stored || stored.version !== run.version - 1) throw new ConflictError(`workflow run ${run.id} changed since it was read`);
      runs.set(k, copy(run));
    },
    async listRuns(tenant, workflowId, q) {
      part('workflowId', workflowId);
      const rows = [...runs.values()]
        .filter((r) => r.tenant === tenant && r.workflowId === workflowId)
        .map((r) => ({ sortKey: `${r.createdAt}#${r.id}`, value: r }));
      return listNewestFirst(rows, q);
    },
    async runningRuns(limit) {
      return [...runs.values()]
        .filter((r) => r.status === 'running')
        .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
        .slice(0, limit)
        .map(copy);
    },
  };
};
