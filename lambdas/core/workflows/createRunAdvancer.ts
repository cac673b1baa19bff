import type { CoreDeps } from '../deps';
import { ConflictError, ControlPlaneError, ErrorCodes } from '../errors';
import type { Job, JobSpec } from '../model';
import { isTerminal } from '../model';
import { resolveJobSpec } from '../jobs/resolveJobSpec';
import { createRunNotify } from '../notifications/createRunNotify';
import type { createSubmitJob } from '../jobs/submitJob';
import { planRun, stepInput } from './planRun';
import { isStepDone, stepJobId, type WorkflowNode, type WorkflowRun, type WorkflowStep } from './workflowModel';

/** Tries of one advance that keeps losing the run's version to another writer. */
const ADVANCE_TRIES = 10;

type SpecOrError = { spec: JobSpec; eventName: string } | { error: { code: string; message: string } };

/** Folds a step's ended job into the step. */
const ended = (step: WorkflowStep, job: Job): WorkflowStep => ({
  ...step,
  status: job.status as WorkflowStep['status'],
  ...(job.condition !== undefined ? { condition: job.condition } : {}),
  ...(job.error ? { error: job.error } : {}),
  finishedAt: job.finishedAt ?? job.createdAt,
});

/**
 * Moves a run on from what the store holds, whoever calls it (a step's job ending, the tick, a
 * start, a retry), as often as it is called:
 * 1. steps whose job ended take its ending; a `running` step whose job does not exist (a crash
 *    between writing the run and submitting) is submitted again, or cancelled when the run ended;
 * 2. while the run is `running`, planRun decides which steps start, which are skipped, and whether
 *    the run ended;
 * 3. the run is written conditional on its version (a lost race reads it again and starts over);
 * 4. only then are the new steps' jobs submitted, with ids derived from run, node and attempt, so
 *    a second advance, or one racing this, submits the same id and creates nothing.
 */
export const createRunAdvancer = (
  deps: Pick<CoreDeps, 'store' | 'clock' | 'config' | 'cipher' | 'ids' | 'logger' | 'tools'>,
  submitJob: ReturnType<typeof createSubmitJob>,
) => {
  const { store, clock, config } = deps;
  const notifyRun = createRunNotify(deps);

  const specOf = async (tenant: string, node: WorkflowNode): Promise<SpecOrError> => {
    const event = await store.events.get(tenant, node.eventId);
    if (!event) return { error: { code: ErrorCodes.notFound, message: `event ${node.eventId} not found` } };
    // As an event's own run (createEventUseCases.run), with the node's timeout and retries over the event's.
    const { tenant: _t, id: _i, name: _n, createdAt: _c, updatedAt: _u, concurrency, ...request } = event;
    try {
      const resolved = resolveJobSpec(
        {
          ...request,
          timeoutSeconds: node.timeoutSeconds ?? event.timeoutSeconds,
          ...(node.retries ? { retries: node.retries } : {}),
        },
        config,
      );
      const spec = concurrency ? { ...resolved, concurrency } : resolved;
      return { spec, eventName: event.name };
    } catch (err) {
      if (err instanceof ControlPlaneError) return { error: { code: err.code, message: err.message } };
      throw err;
    }
  };

  const submit = async (run: WorkflowRun, step: WorkflowStep, found: { spec: JobSpec; eventName: string }, input: unknown) => {
    const node = run.nodes.find((n) => n.id === step.nodeId)!;
    // A schedule hands a fire over up to its window early: the first steps wait in the queue until its time.
    // Rounded up, unlike an event's fire (rounded down, then held by the dispatch until its scheduledAt):
    // a step's job does not carry the fire time, so nothing would hold it for the rest of the second.
    // Only a run's first steps of a fire still ahead get a delay; a step after its parents is sent at once.
    const delaySeconds = run.scheduledAt ? Math.ceil((Date.parse(run.scheduledAt) - clock.now()) / 1000) : 0;
    try {
      await submitJob({ tenant: run.tenant, role: 'user' }, found.spec, {
        jobId: step.jobId!,
        eventId: node.eventId,
        eventName: found.eventName,
        ...(input !== undefined ? { input } : {}),
        workflow: { workflowId: run.workflowId, workflowRunId: run.id, workflowStepId: node.id },
        ...(delaySeconds > 0 ? { delaySeconds } : {}),
      });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err; // already submitted by whoever raced us
    }
  };

  /** Outputs of ended steps that `needed` steps take as input, from their jobs (outputs are not copied into the run). */
  const readOutputs = async (
    run: WorkflowRun,
    steps: Record<string, WorkflowStep>,
    needed: ReadonlySet<string>,
    outputs: Map<string, unknown>,
  ) => {
    const wanted = Object.values(steps).filter(
      (s) =>
        s.jobId !== undefined &&
        isStepDone(s.status) &&
        !outputs.has(s.nodeId) &&
        run.edges.some((e) => e.from === s.nodeId && needed.has(e.to)),
    );
    const jobs = await Promise.all(wanted.map((s) => store.jobs.get({ tenant: run.tenant, jobId: s.jobId! })));
    wanted.forEach((s, i) => outputs.set(s.nodeId, jobs[i]?.output));
  };

  const advanceOnce = async (tenant: string, runId: string, endedJob?: Job): Promise<WorkflowRun | 'conflict' | undefined> => {
    const run = await store.workflows.getRun(tenant, runId);
    if (!run) return undefined;
    const now = new Date(clock.now()).toISOString();
    const steps: Record<string, WorkflowStep> = structuredClone(run.steps);
    const specs = new Map<string, SpecOrError>();
    const nodeOf = (id: string) => run.nodes.find((n) => n.id === id)!;
    const toSubmit: string[] = [];
    const inputs = new Map<string, unknown>();
    const resubmit: string[] = [];
    let changed = false;

    // 1. What the jobs say.
    const running = Object.values(steps).filter((s) => s.status === 'running' && s.jobId);
    // The job whose end called this is as stored: no need to read it again.
    const jobs = await Promise.all(
      running.map(async (s) =>
        endedJob && endedJob.id === s.jobId && isTerminal(endedJob.status) ? endedJob : store.jobs.get({ tenant, jobId: s.jobId! }),
      ),
    );
    const outputs = new Map<string, unknown>();
    for (const [i, step] of running.entries()) {
      const job = jobs[i];
      if (job && isTerminal(job.status)) {
        outputs.set(step.nodeId, job.output);
        steps[step.nodeId] = ended(step, job);
        changed = true;
      } else if (!job) {
        if (run.status !== 'running') {
          steps[step.nodeId] = { ...step, status: 'cancelled', finishedAt: now };
          changed = true;
          continue;
        }
        const found = await specOf(tenant, nodeOf(step.nodeId));
        specs.set(step.nodeId, found);
        if ('error' in found) {
          steps[step.nodeId] = { ...step, status: 'failed', error: found.error, finishedAt: now };
          changed = true;
        } else {
          toSubmit.push(step.nodeId);
          resubmit.push(step.nodeId);
        }
      }
    }

    // 2. What comes next; a step whose event cannot run fails at once, which may decide more steps.
    let next: WorkflowRun = { ...run, steps };
    if (next.status === 'running') {
      const pending = Object.values(steps)
        .filter((s) => s.status === 'pending')
        .map((s) => s.nodeId);
      await readOutputs(run, steps, new Set([...pending, ...resubmit]), outputs);
      for (const id of resubmit)
        inputs.set(
          id,
          stepInput(run, id, steps, run.input, (p) => outputs.get(p)),
        );
    }
    while (next.status === 'running') {
      const plan = planRun(run, steps, run.input, (id) => outputs.get(id));
      for (const { nodeId, reason } of plan.skip) {
        steps[nodeId] = { ...steps[nodeId]!, status: 'skipped', skipReason: reason, finishedAt: now };
        changed = true;
      }
      let failedAtOnce = false;
      const found = await Promise.all(plan.start.map(({ nodeId }) => specOf(tenant, nodeOf(nodeId))));
      for (const [i, { nodeId, input }] of plan.start.entries()) {
        const spec = found[i]!;
        specs.set(nodeId, spec);
        const step = steps[nodeId]!;
        inputs.set(nodeId, input);
        const base = { ...step, startedAt: now };
        if ('error' in spec) {
          steps[nodeId] = { ...base, status: 'failed', error: spec.error, finishedAt: now };
          failedAtOnce = true;
        } else {
          steps[nodeId] = { ...base, status: 'running', jobId: stepJobId(run.id, nodeId, step.attempt) };
          toSubmit.push(nodeId);
        }
        changed = true;
      }
      if (failedAtOnce) continue;
      if (plan.end) {
        const { reason: _r, ...rest } = next;
        next = { ...rest, status: plan.end.status, ...(plan.end.reason ? { reason: plan.end.reason } : {}), finishedAt: now };
        changed = true;
      }
      break;
    }
    // Steps started in a pass that then found a failing sibling were planned again: drop duplicates.
    const submitting = [...new Set(toSubmit)].filter((id) => steps[id]!.status === 'running');

    // 3. Record it.
    if (changed) {
      next = { ...next, steps, version: run.version + 1, updatedAt: now };
      try {
        await store.workflows.updateRun(next);
      } catch (err) {
        if (err instanceof ConflictError) return 'conflict';
        throw err;
      }
      // Only the writer that ended it notifies: a lost race returned above.
      if (run.status === 'running' && next.status !== 'running') await notifyRun(next, next.status);
    }

    // 4. Only now start the jobs: a run that says a step runs always has, or will have, its job.
    await Promise.all(
      submitting.map((id) => {
        const found = specs.get(id)!;
        return 'error' in found ? Promise.resolve() : submit(next, steps[id]!, found, inputs.get(id));
      }),
    );
    return next;
  };

  /**
   * Advances a run until it is stored (see createRunAdvancer). `endedJob`: the step job whose end calls it, as stored.
   * @returns the run as stored, or undefined when it does not exist.
   * @throws ConflictError when other writers kept changing it.
   */
  return async (tenant: string, runId: string, endedJob?: Job): Promise<WorkflowRun | undefined> => {
    for (let attempt = 0; attempt < ADVANCE_TRIES; attempt++) {
      // After a lost race the hint may be stale no more than the store: a terminal job stays as it ended.
      const result = await advanceOnce(tenant, runId, endedJob);
      if (result !== 'conflict') return result;
    }
    throw new ConflictError(`workflow run ${runId} kept changing while it was being advanced`);
  };
};

export type RunAdvancer = ReturnType<typeof createRunAdvancer>;
