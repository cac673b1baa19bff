import type { Caller, Job, WorkflowEdge, WorkflowNode, WorkflowRun } from '../../../lambdas/core';
import { callerFactory } from '../../helpers/factories';
import { createHarness, keyOf, type Harness } from '../../helpers/memory/createHarness';
import type { TestDepsOverrides } from '../../helpers/memory/createTestDeps';

export const acme: Caller = callerFactory({ tenant: 'acme' });

export interface Ending {
  exitCode?: number;
  output?: unknown;
  condition?: boolean;
}

export interface WorkflowHarness extends Harness {
  /** An event of acme's (a bash script). */
  eventId: string;
  /** Creates acme's workflow with every node running the harness's event. */
  workflow(nodes: (Omit<WorkflowNode, 'eventId'> & { eventId?: string })[], edges?: WorkflowEdge[]): Promise<string>;
  /** The run as stored. */
  run(runId: string): Promise<WorkflowRun>;
  /** The job of a step, as stored. */
  stepJob(runId: string, nodeId: string): Promise<Job>;
  /** Dispatches a running step's job and reports its exit with `ending` (exit 0 unless told). */
  finish(runId: string, nodeId: string, ending?: Ending): Promise<void>;
  /** Step statuses of a run, by node id. */
  statuses(runId: string): Promise<Record<string, string>>;
}

export const createWorkflowHarness = async (overrides: TestDepsOverrides = {}): Promise<WorkflowHarness> => {
  const h = createHarness({ ...overrides, config: { maxConcurrent: 50, ...overrides.config } });
  const event = await h.cp.events.create(acme, { name: 'step', runtime: 'bash', script: 'echo step' });
  const run = async (runId: string) => {
    const r = await h.store.workflows.getRun('acme', runId);
    if (!r) throw new Error(`test setup: run ${runId} is not stored`);
    return r;
  };
  const stepJob = async (runId: string, nodeId: string) => {
    const step = (await run(runId)).steps[nodeId];
    if (!step?.jobId) throw new Error(`test setup: step ${nodeId} has no job`);
    return h.stored({ tenant: 'acme', jobId: step.jobId });
  };
  return {
    ...h,
    eventId: event.id,
    async workflow(nodes, edges = []) {
      const w = await h.cp.workflows.create(acme, {
        name: 'flow',
        nodes: nodes.map((n) => ({ eventId: event.id, ...n })),
        edges,
      });
      return w.id;
    },
    run,
    stepJob,
    async finish(runId, nodeId, ending = {}) {
      const job = await stepJob(runId, nodeId);
      const outcome = await h.cp.dispatch(keyOf(job));
      if (outcome !== 'launched') throw new Error(`test setup: dispatch of ${job.id} was ${outcome}`);
      const files: Record<string, string> = {};
      if (ending.output !== undefined) files['output.json'] = JSON.stringify(ending.output);
      if (ending.condition !== undefined) files['condition.json'] = JSON.stringify(ending.condition);
      await h.cp.executions.exited(keyOf(job), { exitCode: ending.exitCode ?? 0, oomKilled: false, timedOut: false, outputs: { files } });
    },
    async statuses(runId) {
      const r = await run(runId);
      return Object.fromEntries(Object.values(r.steps).map((s) => [s.nodeId, s.status]));
    },
  };
};
