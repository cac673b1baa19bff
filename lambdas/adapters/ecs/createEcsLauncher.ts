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
import type { ExecutionLauncher, ExecutionInfo, ExecutionRequest } from '../../core';
import { EcsCallError, EcsLaunchError, OverridesTooLargeError, RUN_TASK_OVERRIDES_LIMIT } from './errors';
import { fargateSizeFor } from './fargateSize';
import { JobTaskContract } from './taskContract';

/** What {@link createEcsLauncher} needs: a ready client and where the job tasks run. */
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
}

/** What runs each runtime's script (`WorkspaceLayout.scriptFile`). */
const Interpreters: Record<ScriptRuntime, string> = {
  bash: 'bash',
  python: 'python3 -u',
  node: 'node',
};

const SCRIPT_ENV = 'CRONIUM_SCRIPT_B64';
const DESCRIBE_BATCH = 100;
const STOP_REASON = 'stopped by Cronium';

/**
 * The container command: decode the script from its env var into the workspace, drop the variable
 * so the script does not see it, and exec the interpreter (the task's init process reaps children).
 */
const commandFor = (runtime: ScriptRuntime): string[] => {
  const ws = JobTaskContract.workspacePath;
  const exec = Interpreters[runtime];
  const path = `${ws}/${WorkspaceLayout.scriptFile[runtime]}`;
  return [
    'sh',
    '-c',
    `set -e; mkdir -p ${ws}/in ${ws}/out; printf '%s' "$${SCRIPT_ENV}" | base64 -d > ${path}; ` +
      `unset ${SCRIPT_ENV}; exec ${exec} ${path}`,
  ];
};

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
 * - `create` calls RunTask, so the task starts at once (`start` has nothing left to do). The
 *   environment is the request's (variables resolved). Of the request's workspace only the script
 *   file travels: base64-encoded in the `CRONIUM_SCRIPT_B64` environment override, which the
 *   container command writes to `/workspace/in/`. RunTask overrides are limited to 8 KiB, so larger
 *   scripts fail with {@link OverridesTooLargeError}.
 * - Not yet the whole workspace contract of DESIGN §4: `in/input.json`, `in/context.json` and
 *   `in/variables.json` are not delivered, and `out/` is not read back (exit reports carry no
 *   `outputs`), so the runtime helpers have nothing to read or hand back on Fargate. Both, and the
 *   end of the 8 KiB limit, need the S3 workspace of a later issue.
 * - An `http` job is refused ({@link EcsLaunchError}, reason `not_a_script_job`): the control plane
 *   makes the request itself.
 * - Output and exit are not followed from here: on AWS, ECS reports task state changes through
 *   EventBridge and the log forwarder reads CloudWatch Logs, so `reattach` is a no-op too.
 *
 * @throws EcsLaunchError from `create` (`launch_failed`, with `reason` and `retryable`) when ECS refuses
 * or fails RunTask, and before calling ECS for an http job (`not_a_script_job`), a workspace without the
 * script file (`no_script`) or resources beyond Fargate's largest size (`resources_too_large`).
 * @throws OverridesTooLargeError (an EcsLaunchError) from `create`, before calling ECS, when the script
 * and environment do not fit in the 8 KiB of overrides.
 * @throws EcsCallError from `stop` and `list` when ECS fails unexpectedly.
 *
 * @example
 * const launcher = createEcsLauncher({
 *   client: new ECSClient({}),
 *   cluster: process.env.CRONIUM_ECS_CLUSTER!,
 *   subnets: process.env.CRONIUM_ECS_SUBNETS!.split(','),
 *   securityGroup: process.env.CRONIUM_ECS_SECURITY_GROUP!,
 *   taskDefinitions: { bash: '…', python: '…', node: '…' },
 * });
 */
export const createEcsLauncher = (o: EcsLauncherOptions): ExecutionLauncher => {
  const { client, cluster } = o;

  const runTaskInput = ({ job, env: jobEnv, workspace }: ExecutionRequest): RunTaskCommandInput => {
    const runtime = job.runtime;
    if (!isScriptRuntime(runtime)) {
      throw new EcsLaunchError(`job ${job.id} is an ${runtime} job: ECS runs only script jobs`, 'not_a_script_job', false);
    }
    const script = workspace[WorkspaceLayout.scriptFile[runtime]];
    if (script === undefined) {
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
    // Ours come last so a job cannot redirect the workspace or replace the script.
    const env = new Map(Object.entries(jobEnv));
    env.set(WorkspaceLayout.envVar, JobTaskContract.workspacePath);
    env.set(SCRIPT_ENV, Buffer.from(script, 'utf8').toString('base64'));
    const overrides: TaskOverride = {
      cpu: String(size.cpu),
      memory: String(size.memoryMiB),
      containerOverrides: [
        {
          name: JobTaskContract.containerName,
          command: commandFor(runtime),
          environment: [...env].map(([name, value]) => ({ name, value })),
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
      const input = runTaskInput(request);
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
        await client.send(new StopTaskCommand({ cluster, task: ref, reason: STOP_REASON }));
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
          // Stopped tasks stay visible for about an hour: the reaper still has to collect them.
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
            infos.push({ key: { tenant, jobId }, ref: task.taskArn, running: task.lastStatus !== 'STOPPED' });
          }
        }
        return infos;
      } catch (err) {
        throw new EcsCallError('listing job tasks failed', { cause: err });
      }
    },

    async reattach() {
      // Nothing to follow: ECS reports task state through EventBridge and output through CloudWatch Logs.
    },
  };
};
