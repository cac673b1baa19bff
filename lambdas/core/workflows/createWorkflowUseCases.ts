import type { CoreDeps } from '../deps';
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { Caller, Job } from '../model';
import type { NotifyRule } from '../notifications/notificationModel';
import { createRunNotify } from '../notifications/createRunNotify';
import type { Page } from '../ports';
import type { RunAdvancer } from './createRunAdvancer';
import { validateGraph } from './validateGraph';
import type { Workflow, WorkflowEdge, WorkflowNode, WorkflowRun, WorkflowStep } from './workflowModel';

/** What a caller sends to create or replace a workflow. */
export interface WorkflowRequest {
  name: string;
  nodes: WorkflowNode[];
  edges?: WorkflowEdge[];
  /** Followed when a run starts or ends (docs/notifications.md). */
  notify?: NotifyRule[];
}

/** How a run starts: its input, and the schedule fire that started it (with the run id chosen when the fire was claimed). */
export interface StartRunOptions {
  input?: unknown;
  runId?: string;
  scheduleId?: string;
  scheduledAt?: string;
  /** Rules of the schedule that started it, followed after the workflow's own. */
  notify?: NotifyRule[];
}

/** What a run shows of each step's job: its current status, its input and output (kept on the job, not the run). */
export type StepJob = Pick<Job, 'status' | 'input' | 'output' | 'exitCode'>;

/** A run as `GET /workflow-runs/{id}` shows it: the run, and by node id each started step's job. */
export interface RunDetails {
  run: WorkflowRun;
  jobs: Record<string, StepJob>;
}

const WRITE_TRIES = 10;
const RETRIED = new Set(['failed', 'timeout', 'cancelled']);

/** Workflows (CRUD) and their runs (start, read, cancel, retry), scoped to the caller's tenant. */
export const createWorkflowUseCases = (
  deps: Pick<CoreDeps, 'store' | 'clock' | 'ids' | 'logger' | 'cipher' | 'tools'>,
  advance: RunAdvancer,
  cancelJob: (caller: Caller, jobId: string) => Promise<Job>,
) => {
  const { store, clock, ids, logger } = deps;
  const notifyRun = createRunNotify(deps);
  const build = async (caller: Caller, r: WorkflowRequest) => {
    if (typeof r.name !== 'string' || r.name.trim() === '' || r.name.length > 200)
      throw new ValidationError('name', 'must be 1-200 characters');
    const edges = r.edges ?? [];
    validateGraph({ nodes: r.nodes, edges });
    const eventIds = [...new Set(r.nodes.map((n) => n.eventId))];
    const found = await Promise.all(eventIds.map((id) => store.events.get(caller.tenant, id)));
    r.nodes.forEach((n, i) => {
      if (!found[eventIds.indexOf(n.eventId)]) throw new ValidationError(`nodes[${i}].eventId`, `event ${n.eventId} not found`);
    });
    return {
      name: r.name.trim(),
      nodes: structuredClone(r.nodes),
      edges: structuredClone(edges),
      ...(r.notify?.length ? { notify: structuredClone(r.notify) } : {}),
    };
  };

  /** @throws NotFoundError (also for another tenant's workflow) */
  const get = async (caller: Caller, id: string): Promise<Workflow> => {
    const w = await store.workflows.get(caller.tenant, id);
    if (!w) throw new NotFoundError('workflow', id);
    return w;
  };

  /** @throws NotFoundError */
  const getRun = async (caller: Caller, id: string): Promise<WorkflowRun> => {
    const run = await store.workflows.getRun(caller.tenant, id);
    if (!run) throw new NotFoundError('workflow run', id);
    return run;
  };

  /** Changes a run with `change` and a version check, reading it again after a lost race. */
  const rewrite = async (caller: Caller, id: string, change: (run: WorkflowRun) => WorkflowRun | undefined): Promise<WorkflowRun> => {
    for (let attempt = 1; ; attempt++) {
      const run = await getRun(caller, id);
      const next = change(run);
      if (!next) return run;
      try {
        await store.workflows.updateRun({ ...next, version: run.version + 1, updatedAt: new Date(clock.now()).toISOString() });
        return next;
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= WRITE_TRIES) throw err;
      }
    }
  };

  return {
    get,

    /** @throws ValidationError naming the node or edge at fault */
    async create(caller: Caller, request: WorkflowRequest): Promise<Workflow> {
      const now = new Date(clock.now()).toISOString();
      const workflow: Workflow = {
        tenant: caller.tenant,
        id: ids.next(),
        ...(await build(caller, request)),
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      await store.workflows.put(workflow);
      return workflow;
    },

    /** Replaces the definition; runs in flight keep the graph they started with. @throws NotFoundError, ValidationError */
    async update(caller: Caller, id: string, request: WorkflowRequest): Promise<Workflow> {
      const { notify: _replaced, ...existing } = await get(caller, id);
      const workflow: Workflow = {
        ...existing,
        ...(await build(caller, request)),
        version: existing.version + 1,
        updatedAt: new Date(clock.now()).toISOString(),
      };
      await store.workflows.put(workflow);
      return workflow;
    },

    list: (caller: Caller, query: { limit: number; cursor?: string }): Promise<Page<Workflow>> =>
      store.workflows.list(caller.tenant, query),

    /** @throws NotFoundError */
    async remove(caller: Caller, id: string): Promise<void> {
      if (!(await store.workflows.delete(caller.tenant, id))) throw new NotFoundError('workflow', id);
    },

    /**
     * Starts a run: stores it with every step pending, then starts its start nodes.
     * @throws NotFoundError for an unknown workflow; ConflictError when `opts.runId` names a run that exists.
     */
    async start(caller: Caller, workflowId: string, opts: StartRunOptions = {}): Promise<WorkflowRun> {
      const w = await get(caller, workflowId);
      const now = new Date(clock.now()).toISOString();
      const steps: Record<string, WorkflowStep> = {};
      for (const n of w.nodes) steps[n.id] = { nodeId: n.id, status: 'pending', attempt: 1 };
      const notify = [...(w.notify ?? []), ...(opts.notify ?? [])];
      const run: WorkflowRun = {
        tenant: caller.tenant,
        id: opts.runId ?? ids.next(),
        workflowId: w.id,
        workflowName: w.name,
        nodes: w.nodes,
        edges: w.edges,
        status: 'running',
        ...(opts.input !== undefined ? { input: opts.input } : {}),
        attempt: 1,
        steps,
        ...(opts.scheduleId ? { scheduleId: opts.scheduleId, scheduledAt: opts.scheduledAt } : {}),
        ...(notify.length ? { notify } : {}),
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      await store.workflows.createRun(run);
      await notifyRun(run, 'started');
      return (await advance(caller.tenant, run.id)) ?? run;
    },

    /** A run with each started step's job (status, input, output). @throws NotFoundError */
    async getRun(caller: Caller, id: string): Promise<RunDetails> {
      const run = await getRun(caller, id);
      const started = Object.values(run.steps).filter((s) => s.jobId);
      const found = await Promise.all(started.map((s) => store.jobs.get({ tenant: caller.tenant, jobId: s.jobId! })));
      const jobs: Record<string, StepJob> = {};
      started.forEach((s, i) => {
        const job = found[i];
        if (job) jobs[s.nodeId] = { status: job.status, input: job.input, output: job.output, exitCode: job.exitCode };
      });
      return { run, jobs };
    },

    /** @throws NotFoundError for an unknown workflow */
    async listRuns(caller: Caller, workflowId: string, query: { limit: number; cursor?: string }): Promise<Page<WorkflowRun>> {
      await get(caller, workflowId);
      return store.workflows.listRuns(caller.tenant, workflowId, query);
    },

    /**
     * Ends a running run `cancelled`: no step starts any more, pending steps are cancelled and the
     * jobs of running steps are cancelled. Cancelling an ended run changes nothing.
     * @throws NotFoundError
     */
    async cancel(caller: Caller, id: string): Promise<WorkflowRun> {
      const now = new Date(clock.now()).toISOString();
      let endedHere = false;
      const cancelled = await rewrite(caller, id, (run) => {
        endedHere = false;
        if (run.status !== 'running') return undefined;
        endedHere = true;
        const steps = structuredClone(run.steps);
        for (const s of Object.values(steps)) {
          if (s.status === 'pending') Object.assign(s, { status: 'cancelled', skipReason: 'the run was cancelled', finishedAt: now });
        }
        return { ...run, steps, status: 'cancelled', reason: 'cancelled by request', finishedAt: now };
      });
      if (endedHere) await notifyRun(cancelled, 'cancelled');
      const running = Object.values(cancelled.steps).filter((s) => s.status === 'running' && s.jobId);
      await Promise.all(
        running.map((s) =>
          cancelJob(caller, s.jobId!).catch((err: unknown) => {
            if (!(err instanceof NotFoundError)) throw err; // not submitted yet: the advance below cancels the step
          }),
        ),
      );
      return (await advance(caller.tenant, id)) ?? cancelled;
    },

    /**
     * Runs a failed or cancelled run again from where it failed: steps that failed, timed out or
     * were cancelled, and every step downstream of them, go back to pending with their attempt
     * counted up (so their jobs get new ids); completed steps upstream keep their results.
     * @throws NotFoundError; ConflictError when the run is running or completed
     */
    async retry(caller: Caller, id: string): Promise<WorkflowRun> {
      const restarted = await rewrite(caller, id, (run) => {
        if (run.status === 'running' || run.status === 'completed')
          throw new ConflictError(`workflow run ${id} is ${run.status}; only a failed or cancelled run can be retried`);
        const reset = new Set(
          Object.values(run.steps)
            .filter((s) => RETRIED.has(s.status))
            .map((s) => s.nodeId),
        );
        for (let grew = true; grew;) {
          grew = false;
          for (const e of run.edges) {
            if (reset.has(e.from) && !reset.has(e.to)) {
              reset.add(e.to);
              grew = true;
            }
          }
        }
        const steps = structuredClone(run.steps);
        for (const nodeId of reset) {
          const s = steps[nodeId]!;
          // A step that never got a job keeps its attempt: no job id of it was ever used.
          steps[nodeId] = { nodeId, status: 'pending', attempt: s.jobId ? s.attempt + 1 : s.attempt };
        }
        const { reason: _r, finishedAt: _f, ...rest } = run;
        return { ...rest, steps, status: 'running', attempt: run.attempt + 1 };
      });
      await notifyRun(restarted, 'started');
      return (await advance(caller.tenant, id))!;
    },

    /** Advances every running run (the tick's safety net for a step end no hook followed). @returns how many were looked at. */
    async advanceRunning(limit = 100): Promise<number> {
      const runs = await store.workflows.runningRuns(limit);
      for (const r of runs) {
        await advance(r.tenant, r.id).catch((err: unknown) =>
          logger.error({ err, tenant: r.tenant, workflowRunId: r.id }, 'a workflow run could not advance; the next tick tries again'),
        );
      }
      return runs.length;
    },
  };
};

export type WorkflowUseCases = ReturnType<typeof createWorkflowUseCases>;
