import { createAuth } from './auth/createAuth';
import type { CoreDeps } from './deps';
import { UnauthorizedError } from './errors';
import { createEventUseCases } from './events/createEventUseCases';
import { createHealth } from './health/createHealth';
import { noMetrics } from './ports';
import { createCancelJob } from './jobs/createCancelJob';
import { createLifecycle } from './jobs/createLifecycle';
import { createJobHooks } from './jobs/jobHooks';
import { createReconciler } from './jobs/createReconciler';
import { createReaper } from './jobs/createReaper';
import { createDispatchJob } from './jobs/createDispatchJob';
import { createPrepareExecution } from './jobs/prepareExecution';
import { createGetJob, createListJobs, createReadLogs } from './jobs/queries';
import type { JobSpecRequest } from './jobs/resolveJobSpec';
import { resolveJobSpec } from './jobs/resolveJobSpec';
import { createSubmitJob } from './jobs/submitJob';
import { createLiveFeed } from './live/createLiveFeed';
import { createExecutionReports, type ExecutionReports } from './reports/createExecutionReports';
import { createScheduleFiring } from './schedules/createScheduleFiring';
import { createScheduleUseCases } from './schedules/createScheduleUseCases';
import { createServers } from './servers/createServers';
import { createToolUseCases } from './tools/createToolUseCases';
import { createReadStats } from './stats/createReadStats';
import { createVariables } from './variables/createVariables';
import { createRunAdvancer } from './workflows/createRunAdvancer';
import { createWorkflowUseCases } from './workflows/createWorkflowUseCases';
import type { Caller, Job } from './model';

/**
 * Every use case of the control plane, wired to one set of ports.
 * Handlers call these; nothing here knows which runtime it is in. `reports` are the ones the
 * launchers were given (see createExecutionReports); without them the control plane builds its own,
 * which suits a launcher that reports nothing by itself.
 * @example
 * const cp = createControlPlane({ ...deps, launcher }, { reports });
 * const job = await cp.jobs.submit(caller, { runtime: 'python', script: 'print(1)' });
 */
export const createControlPlane = (deps: CoreDeps, opts: { reports?: ExecutionReports } = {}) => {
  const live = createLiveFeed(deps);
  const hooks = createJobHooks(deps);
  const lifecycle = createLifecycle(deps, live, hooks);
  const submitJob = createSubmitJob(deps, hooks);
  const variables = createVariables(deps);
  const servers = createServers(deps);
  const events = createEventUseCases(deps, submitJob);
  const cancelJob = createCancelJob(deps, lifecycle);
  const workflows = createWorkflowUseCases(deps, createRunAdvancer(deps, submitJob), cancelJob);

  const metrics = deps.metrics ?? noMetrics;

  return {
    auth: createAuth(deps),
    /** `/live`, `/ready`, `/health`. */
    health: createHealth(deps),
    /** Where handlers record their own figures (requests, connections). */
    metrics,
    jobs: {
      /** @throws ValidationError when a limit is exceeded. */
      submit: async (caller: Caller, request: JobSpecRequest, opts: { input?: unknown } = {}): Promise<Job> =>
        submitJob(caller, resolveJobSpec(request, deps.config), { input: opts.input }),
      get: createGetJob(deps),
      list: createListJobs(deps),
      logs: createReadLogs(deps),
      cancel: cancelJob,
    },
    events,
    schedules: createScheduleUseCases(deps),
    /** A tenant's job statistics from the hourly aggregates (docs/statistics.md). */
    stats: { read: createReadStats(deps) },
    workflows,
    connections: {
      async connect(caller: Caller, connectionId: string): Promise<void> {
        await deps.store.connections.putConnection({
          connectionId,
          tenant: caller.tenant,
          connectedAt: new Date(deps.clock.now()).toISOString(),
        });
        metrics.member('cronium_ws_connections', connectionId, true);
      },
      async disconnect(connectionId: string): Promise<void> {
        metrics.member('cronium_ws_connections', connectionId, false);
        await deps.store.connections.deleteConnection(connectionId);
      },
      /** @throws UnauthorizedError for an unknown connection, NotFoundError for another tenant's job. */
      async subscribe(connectionId: string, jobId: string, afterSeq: number): Promise<void> {
        const connection = await deps.store.connections.getConnection(connectionId);
        if (!connection) throw new UnauthorizedError('this connection is not registered; reconnect');
        await live.subscribe({ tenant: connection.tenant, role: 'user' }, connectionId, jobId, afterSeq);
      },
    },
    variables: { put: variables.put, list: variables.list, remove: variables.remove },
    /** A job's notifications and the webhook signing secret (docs/notifications.md). */
    tools: createToolUseCases(deps),
    servers: {
      get: servers.get,
      list: servers.list,
      create: servers.create,
      update: servers.update,
      remove: servers.remove,
      test: servers.test,
      /** The test in this process, never handed off: the runner function's side of ServerAccess.testRemotely. */
      testHere: servers.testHere,
    },
    /** Claims and launches one queued job (the dispatcher's work). */
    dispatch: createDispatchJob(deps, lifecycle, variables, servers),
    /**
     * The full launch request of a job (environment, workspace, server credentials): what a runner
     * function handed only the job's key rebuilds before it runs the job.
     */
    prepareExecution: createPrepareExecution(variables, servers),
    /** The inbound path launchers report output, exits and host keys into. */
    executions: opts.reports ?? createExecutionReports(deps),
    reconcile: createReconciler(deps, lifecycle),
    ...createReaper(deps, lifecycle, createScheduleFiring(deps, events, workflows), workflows.advanceRunning),
  };
};

export type ControlPlane = ReturnType<typeof createControlPlane>;
