import { createHash } from 'node:crypto';
import {
  DescribeTasksCommand,
  type ECSClient,
  paginateListTasks,
  RunTaskCommand,
  StopTaskCommand,
  type DesiredStatus,
  type RunTaskCommandInput,
  type TaskOverride,
} from '@aws-sdk/client-ecs';
import { isScriptRuntime, type Job, type ScriptRuntime, WorkspaceLayout } from '../../core';
import type { ExecutionLauncher, ExecutionInfo, ExecutionRequest, JobKey, WorkspaceFiles } from '../../core';
import { EcsCallError, EcsLaunchError, OverridesTooLargeError, RUN_TASK_OVERRIDES_LIMIT } from './errors';
import { fargateSizeFor, type FargateSize } from './fargateSize';
import { CroniumStopReason } from './stopReasons';
import { JobTaskContract } from './taskContract';

/**
 * Where a job's workspace travels to and from its task (the S3 workspace, lambdas/adapters/s3, on
 * AWS): `stage` stores `in/` and the env and answers the two presigned URLs the task gets.
 */
export interface TaskWorkspace {
  stage(request: {
    key: JobKey;
    workspace: WorkspaceFiles;
    env: Record<string, string>;
    timeoutSeconds: number;
  }): Promise<{ inUrl: string; outUrl: string }>;
}

/** What {@link createEcsLauncher} needs: a ready client, where the job tasks run, and the workspace store. */
export interface EcsLauncherOptions {
  client: ECSClient;
  /** Cluster name or ARN. */
  cluster: string;
  /** Subnets the task ENIs go in (the isolated job subnets on AWS). */
  subnets: readonly string[];
  /** The job tasks' security group. */
  securityGroup: string;
  /** Task definition (ARN, `family:revision` or family) per script runtime. */
  taskDefinitions: Record<ScriptRuntime, string>;
  /** Stores each job's `in/` and environment before RunTask and signs the task's URLs. */
  workspace: TaskWorkspace;
  /** Epoch ms, for how long ago a task stopped. @default Date.now */
  now?: () => number;
}

/**
 * How long `list` still reports a task after it STOPPED: long enough that the tick does not take its
 * job for lost while the STOPPED event is on its way to the completion handler; ECS itself lists
 * stopped tasks for about an hour, which made the tick stop each one again every minute.
 */
export const STOPPED_LISTED_MS = 2 * 60_000;

/** What runs each runtime's script; the image's entrypoint runs it once `in/` is in place. */
const Interpreters: Record<ScriptRuntime, readonly string[]> = {
  bash: ['bash'],
  python: ['python3', '-u'],
  node: ['node'],
};

const DESCRIBE_BATCH = 100;

const commandFor = (runtime: ScriptRuntime): string[] => [
  ...Interpreters[runtime],
  `${JobTaskContract.workspacePath}/${WorkspaceLayout.scriptFile[runtime]}`,
];

/** `startedBy` allows 128 of [A-Za-z0-9_/-]. */
const startedByFor = (job: Job): string => job.id.replace(/[^A-Za-z0-9_/-]/g, '_').slice(0, 128);

/** Same job at the same version gives the same token, so a retried RunTask starts one task, not two. */
const clientTokenFor = (job: Job): string => createHash('sha256').update(`${job.tenant}/${job.id}/${job.version}`).digest('hex');

const familyOf = (taskDefinition: string): string => {
  const afterSlash = taskDefinition.slice(taskDefinition.lastIndexOf('/') + 1);
  return afterSlash.split(':')[0] ?? afterSlash;
};

const isRetryableSdkError = (err: unknown): boolean => {
  const e = err as { name?: string; $fault?: string; $retryable?: unknown };
  return e.$fault === 'server' || e.$retryable !== undefined || e.name === 'ThrottlingException';
};

const isMissingTask = (err: unknown): boolean => {
  const e = err as { name?: string; message?: string };
  return e.name === 'InvalidParameterException' && /referenced task was not found|could not find task/i.test(e.message ?? '');
};

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/**
 * Runs each script job as one Fargate task of its runtime's hardened task definition.
 *
 * - `create` stages the job's workspace (`in/` files and its resolved environment, secrets
 *   included) through {@link TaskWorkspace} as one encrypted object, then calls RunTask, so the
 *   task starts at once (`start` has nothing left to do). The RunTask overrides carry only the
 *   interpreter command, `CRONIUM_WORKSPACE` and the two presigned URLs (`CRONIUM_IN_URL`,
 *   `CRONIUM_OUT_URL`): no script, no env value, no secret, since overrides are readable through
 *   ecs:DescribeTasks, CloudTrail and task-state events. The image's entrypoint
 *   (runtime-images/scripts/cronium-entrypoint.sh) fetches `in/`, runs the script with the env,
 *   and uploads a tar of `out/` when it ends.
 * - Tags (tenant, job id) and `startedBy` (the job id) identify the task.
 * - An `http` job is refused ({@link EcsLaunchError}, reason `not_a_script_job`): the control plane
 *   makes the request itself.
 * - Nothing is followed from here: no handler yet turns the task's stop, its CloudWatch log lines or
 *   its uploaded `out/` into reports (the S3 workspace's `readOutputs` is there for that), so
 *   `reattach` is a no-op.
 *
 * @throws EcsLaunchError from `create` (`launch_failed`, with `reason` and `retryable`) when ECS refuses
 * or fails RunTask, and before calling ECS for an http job (`not_a_script_job`), a workspace without the
 * script file (`no_script`) or resources beyond Fargate's largest size (`resources_too_large`).
 * @throws ValidationError or the workspace store's error from `create`, before RunTask, when the
 * workspace cannot be staged.
 * @throws OverridesTooLargeError (an EcsLaunchError) from `create`, before RunTask, when the overrides
 * exceed ECS's 8 KiB (long presigned URLs).
 * @throws EcsCallError from `stop` and `list` when ECS fails unexpectedly.
 *
 * @example
 * const launcher = createEcsLauncher({
 *   client: new ECSClient({}),
 *   cluster: process.env.CRONIUM_ECS_CLUSTER!,
 *   subnets: process.env.CRONIUM_ECS_SUBNETS!.split(','),
 *   securityGroup: process.env.CRONIUM_ECS_SECURITY_GROUP!,
 *   taskDefinitions: { bash: '…', python: '…', node: '…' },
 *   workspace: createS3Workspace({ client: new S3Client({}), bucket: process.env.CRONIUM_WORKSPACE_BUCKET! }),
 * });
 */
export const createEcsLauncher = (o: EcsLauncherOptions): ExecutionLauncher => {
  const { client, cluster } = o;
  const now = o.now ?? Date.now;

  /** Checks what can be checked before anything is stored or launched. */
  const checkRequest = ({ job, workspace }: ExecutionRequest): { runtime: ScriptRuntime; size: FargateSize } => {
    const runtime = job.runtime;
    if (!isScriptRuntime(runtime)) {
      throw new EcsLaunchError(`job ${job.id} is an ${runtime} job: ECS runs only script jobs`, 'not_a_script_job', false);
    }
    if (workspace[WorkspaceLayout.scriptFile[runtime]] === undefined) {
      throw new EcsLaunchError(`job ${job.id} has no script file in its workspace`, 'no_script', false);
    }
    const size = fargateSizeFor(job.resources.cpu, job.resources.memoryMb);
    if (!size) {
      throw new EcsLaunchError(
        `no Fargate task size has ${job.resources.cpu} vCPU and ${job.resources.memoryMb} MiB`,
        'resources_too_large',
        false,
      );
    }
    return { runtime, size };
  };

  const runTaskInput = (
    job: Job,
    runtime: ScriptRuntime,
    size: FargateSize,
    urls: { inUrl: string; outUrl: string },
    hints: { secretFree: boolean; freshLog: boolean },
  ): RunTaskCommandInput => {
    const overrides: TaskOverride = {
      cpu: String(size.cpu),
      memory: String(size.memoryMiB),
      containerOverrides: [
        {
          name: JobTaskContract.containerName,
          command: commandFor(runtime),
          environment: [
            { name: WorkspaceLayout.envVar, value: JobTaskContract.workspacePath },
            { name: JobTaskContract.env.inUrl, value: urls.inUrl },
            { name: JobTaskContract.env.outUrl, value: urls.outUrl },
          ],
        },
      ],
    };
    const overridesBytes = Buffer.byteLength(JSON.stringify(overrides), 'utf8');
    if (overridesBytes > RUN_TASK_OVERRIDES_LIMIT) throw new OverridesTooLargeError(overridesBytes);

    return {
      cluster,
      taskDefinition: o.taskDefinitions[runtime],
      launchType: 'FARGATE',
      count: 1,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: [...o.subnets],
          securityGroups: [o.securityGroup],
          assignPublicIp: 'DISABLED',
        },
      },
      overrides,
      startedBy: startedByFor(job),
      tags: [
        { key: JobTaskContract.tags.tenant, value: job.tenant },
        { key: JobTaskContract.tags.jobId, value: job.id },
        // Read back by the log forwarder, which then masks nothing instead of reading the tenant's secrets.
        ...(hints.secretFree ? [{ key: JobTaskContract.tags.secrets, value: JobTaskContract.noSecrets }] : []),
        // Read back by the log forwarder, which then starts the job's log at seq 1 without reading its tail.
        ...(hints.freshLog ? [{ key: JobTaskContract.tags.log, value: JobTaskContract.freshLog }] : []),
      ],
      clientToken: clientTokenFor(job),
    };
  };

  const listArns = async (family: string, desiredStatus: DesiredStatus): Promise<string[]> => {
    const arns: string[] = [];
    for await (const page of paginateListTasks({ client }, { cluster, family, desiredStatus })) {
      arns.push(...(page.taskArns ?? []));
    }
    return arns;
  };

  return {
    async create(request) {
      const { job } = request;
      const { runtime, size } = checkRequest(request);
      // Ours come last so a job cannot redirect its workspace.
      const env = { ...request.env, [WorkspaceLayout.envVar]: JobTaskContract.workspacePath };
      const urls = await o.workspace.stage({
        key: { tenant: job.tenant, jobId: job.id },
        workspace: request.workspace,
        env,
        timeoutSeconds: job.timeoutSeconds,
      });
      const input = runTaskInput(job, runtime, size, urls, {
        secretFree: request.secretFree === true,
        freshLog: request.freshLog === true,
      });
      let out;
      try {
        out = await client.send(new RunTaskCommand(input));
      } catch (err) {
        const name = (err as { name?: string }).name ?? 'Error';
        throw new EcsLaunchError(`RunTask failed: ${name}`, name, isRetryableSdkError(err), { cause: err });
      }
      const failure = out.failures?.[0];
      if (failure) {
        const reason = failure.reason ?? 'unknown';
        throw new EcsLaunchError(
          `RunTask failed: ${reason}${failure.detail ? ` (${failure.detail})` : ''}`,
          reason,
          /capacity|throttl/i.test(reason),
        );
      }
      const arn = out.tasks?.[0]?.taskArn;
      if (!arn) throw new EcsLaunchError('RunTask returned no task', 'no_task', true);
      return arn;
    },

    async start() {
      // Fargate starts the task on RunTask; create() already did.
    },

    async stop(ref) {
      try {
        await client.send(new StopTaskCommand({ cluster, task: ref, reason: CroniumStopReason }));
      } catch (err) {
        if (isMissingTask(err)) return;
        throw new EcsCallError(`StopTask ${ref} failed`, { cause: err });
      }
    },

    async list() {
      const families = [...new Set(Object.values(o.taskDefinitions).map(familyOf))];
      const arns: string[] = [];
      try {
        for (const family of families) {
          // Desired STOPPED covers tasks still stopping (their job is not lost) and those stopped lately.
          for (const status of ['RUNNING', 'STOPPED'] as const) arns.push(...(await listArns(family, status)));
        }
        const infos: ExecutionInfo[] = [];
        for (const batch of chunks([...new Set(arns)], DESCRIBE_BATCH)) {
          const out = await client.send(new DescribeTasksCommand({ cluster, tasks: batch, include: ['TAGS'] }));
          for (const task of out.tasks ?? []) {
            const tag = (key: string) => task.tags?.find((t) => t.key === key)?.value;
            const tenant = tag(JobTaskContract.tags.tenant);
            const jobId = tag(JobTaskContract.tags.jobId);
            // A task without our tags was not started by Cronium: not ours to reconcile.
            if (!task.taskArn || !tenant || !jobId) continue;
            const stopped = task.lastStatus === 'STOPPED';
            if (stopped && !(task.stoppedAt !== undefined && now() - task.stoppedAt.getTime() <= STOPPED_LISTED_MS)) continue;
            infos.push({ key: { tenant, jobId }, ref: task.taskArn, running: !stopped });
          }
        }
        return infos;
      } catch (err) {
        throw new EcsCallError('listing job tasks failed', { cause: err });
      }
    },

    async reattach() {
      // Nothing to follow from here: see the note on create/reattach above.
    },
  };
};
