import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createApiGatewayBroadcaster } from '../../adapters/apigw-management';
import { createCronerMatcher } from '../../adapters/cron';
import { createKmsCipher } from '../../adapters/crypto';
import { createDocumentClient, createDynamoCircuitStore, createDynamoStore, createDynamoToolStore } from '../../adapters/dynamodb';
import {
  createEcsHealthCheck,
  createEcsLauncher,
  createJobLogReader,
  createTaskJobs,
  familyOf,
  jobLogStreamName,
  taskIdOf,
} from '../../adapters/ecs';
import type { EcsTaskStateChangeDetail } from '../../adapters/ecs';
import { createGuardedNetwork, createHttpLauncher, parseHttpAllowList } from '../../adapters/http';
import { createRunnerLauncher, isRunnerRef } from '../../adapters/lambda-runner';
import { createRunnerServerAccess } from '../../adapters/lambda-server-test';
import { routeJobs } from '../../adapters/routing';
import { createS3Workspace } from '../../adapters/s3';
import { createSshExecutor, createSshLauncher, createSshServerAccess, isSshRef } from '../../adapters/ssh';
import { createSqsHealthCheck, createSqsJobQueue } from '../../adapters/sqs';
import { createEmfMetrics } from '../../adapters/metrics';
import { createToolActions, createToolLauncher, isToolRef } from '../../adapters/tools';
import { createBackoffRetry, createIdGenerator, createPinoLogger, systemClock } from '../../adapters/system';
import { ConfigError, coreConfigFromEnv } from '../../config/coreConfigFromEnv';
import type { Env } from '../../config/coreConfigFromEnv';
import type { JobKey } from '../../core';
import {
  countPushes,
  createControlPlane,
  createExecutionReports,
  createToolRunner,
  ScriptRuntimes,
  toolJobData,
  WorkspaceLimits,
} from '../../core';
import { createJobLogForwarding } from './jobLogForwarding';

const required = (env: Env, name: string): string => {
  const value = env[name];
  if (!value) throw new ConfigError(name, 'is required');
  return value;
};

let built: ReturnType<typeof compose> | undefined;

const compose = (env: Env) => {
  const logger = createPinoLogger({ level: env['LOG_LEVEL'] });
  // Figures go out as CloudWatch EMF lines (docs/operate.md); the dashboard reads them.
  const metrics = createEmfMetrics({ serviceName: env['AWS_LAMBDA_FUNCTION_NAME'] ?? 'cronium' });
  const broadcaster = countPushes(
    createApiGatewayBroadcaster({
      client: new ApiGatewayManagementApiClient({ endpoint: required(env, 'CRONIUM_WS_ENDPOINT') }),
    }),
    metrics,
  );
  // One executor (pooled connections, circuit breakers) for the API's key checks and the runner's ssh jobs.
  // Circuit breakers live in the table, so every runner instance agrees on a server that does not answer.
  const sshExecutor = createSshExecutor({
    logger,
    helpersDir: env['CRONIUM_HELPERS_DIR'] ?? '/var/task/helpers',
    circuits: createDynamoCircuitStore({ tableName: required(env, 'CRONIUM_TABLE'), client: createDocumentClient() }),
  });
  const deps = {
    store: createDynamoStore({
      tableName: required(env, 'CRONIUM_TABLE'),
      client: createDocumentClient(),
    }),
    queue: createSqsJobQueue({ client: new SQSClient({}), queueUrl: required(env, 'CRONIUM_QUEUE_URL') }),
    broadcaster,
    clock: systemClock,
    ids: createIdGenerator(),
    config: coreConfigFromEnv(env),
    logger,
    cipher: createKmsCipher({ client: new KMSClient({}), keyId: required(env, 'CRONIUM_SECRETS_KEY_ID') }),
    // Key checks here; the API's connection tests run in the runner function, in the VPC behind the
    // NAT address where ssh jobs connect from (docs/aws.md, "SSH jobs"), which tests with this executor.
    serverAccess: createRunnerServerAccess({
      local: createSshServerAccess(sshExecutor),
      client: new LambdaClient({}),
      functionName: () => required(env, 'CRONIUM_RUNNER_FUNCTION'),
    }),
    cron: createCronerMatcher(),
    metrics,
    // Checked by /ready and /health (the REST function holds DescribeClusters and GetQueueAttributes for them).
    health: {
      version: env['CRONIUM_VERSION'] ?? 'unknown',
      checks: [
        createSqsHealthCheck({ client: new SQSClient({}), queueUrl: required(env, 'CRONIUM_QUEUE_URL') }),
        createEcsHealthCheck({ client: new ECSClient({}), cluster: required(env, 'CRONIUM_ECS_CLUSTER') }),
      ],
    },
    // Tool jobs and notifications: the SSRF guard of http jobs, state in the same table (docs/notifications.md).
    tools: {
      actions: createToolActions({ network: createGuardedNetwork({ allow: parseHttpAllowList(env['CRONIUM_HTTP_ALLOW']) }) }),
      store: createDynamoToolStore({ tableName: required(env, 'CRONIUM_TABLE'), client: createDocumentClient() }),
    },
  };
  // The one inbound path of reports: the http launcher here, and the completion and log-forwarder handlers.
  const reports = createExecutionReports({ ...deps, retry: createBackoffRetry() });
  const http = createHttpLauncher({
    events: reports,
    logger,
    allow: parseHttpAllowList(env['CRONIUM_HTTP_ALLOW']),
    maxBodyBytes: WorkspaceLimits.maxValueBytes,
  });
  // Each http job gets its own invocation of the runner function (jobRunner.ts), which runs it with
  // `http` to its end: the dispatcher only hands it over (docs/aws.md, "http jobs").
  // Tool jobs run where http jobs run: in the runner function, one job per invocation.
  const toolRunner = createToolRunner(deps);
  const toolLauncher = createToolLauncher({
    events: reports,
    logger,
    run: (job, signal) => toolRunner.perform(job.tenant, job.tool!, toolJobData(job), { signal }),
  });
  // ssh jobs too run in the runner, on the job's servers (their request rebuilt there: prepareExecution).
  const ssh = createSshLauncher({ executor: sshExecutor, events: reports, logger });
  const inProcess = {
    ...routeJobs(
      [
        { launcher: ssh, takes: (job) => job.target?.type === 'ssh', owns: isSshRef },
        { launcher: toolLauncher, takes: (job) => job.runtime === 'tool', owns: isToolRef },
      ],
      http,
    ),
    drain: async () => {
      await Promise.all([http.drain(), toolLauncher.drain(), ssh.drain()]);
    },
  };
  const runner = createRunnerLauncher({ client: new LambdaClient({}), functionName: () => required(env, 'CRONIUM_RUNNER_FUNCTION') });
  // Each container job's in/ (with its env) and out/ travel through S3: RunTask carries only presigned URLs.
  const workspace = createS3Workspace({ client: new S3Client({}), bucket: required(env, 'CRONIUM_WORKSPACE_BUCKET') });
  const launcher = routeJobs(
    [
      {
        launcher: runner,
        takes: (job) => job.runtime === 'http' || job.runtime === 'tool' || job.target?.type === 'ssh',
        owns: isRunnerRef,
      },
    ],
    createEcsLauncher({
      client: new ECSClient({}),
      cluster: required(env, 'CRONIUM_ECS_CLUSTER'),
      subnets: required(env, 'CRONIUM_ECS_SUBNETS').split(','),
      securityGroup: required(env, 'CRONIUM_ECS_SECURITY_GROUP'),
      taskDefinitions: {
        bash: required(env, 'CRONIUM_TASK_DEF_BASH'),
        python: required(env, 'CRONIUM_TASK_DEF_PYTHON'),
        node: required(env, 'CRONIUM_TASK_DEF_NODE'),
      },
      workspace,
    }),
  );
  const cp = createControlPlane({ ...deps, launcher }, { reports });
  return { cp, reports, broadcaster, logger, workspace, store: deps.store, inProcess };
};

/**
 * The AWS composition root: ports wired to AWS services from the Lambda's environment, once per
 * container. `reports` is the one inbound path of execution reports (output, exits, host keys):
 * the completion and log-forwarder handlers call it as the launchers do.
 */
export const awsComposition = (env: Env = process.env) => (built ??= compose(env));

let taskReporting: ReturnType<typeof composeTaskReporting> | undefined;

const composeTaskReporting = (env: Env) => {
  const { reports: events, logger, workspace } = awsComposition(env);
  const cluster = required(env, 'CRONIUM_ECS_CLUSTER');
  const runtimeOfFamily = new Map(
    ScriptRuntimes.map((rt) => [familyOf(required(env, `CRONIUM_TASK_DEF_${rt.toUpperCase()}`)), rt] as const),
  );
  const logs = createJobLogForwarding({
    events,
    reader: createJobLogReader({ client: new CloudWatchLogsClient({}), logGroup: required(env, 'CRONIUM_JOB_LOG_GROUP') }),
  });
  return {
    events,
    logger,
    logs,
    tasks: createTaskJobs({ client: new ECSClient({}), cluster }),
    logStreamOf: (detail: EcsTaskStateChangeDetail) => {
      const runtime = detail.taskDefinitionArn === undefined ? undefined : runtimeOfFamily.get(familyOf(detail.taskDefinitionArn));
      return runtime === undefined ? undefined : jobLogStreamName(runtime, taskIdOf(detail.taskArn));
    },
    readOutputs: (key: JobKey) => workspace.readOutputs(key),
  };
};

/** What the ECS completion and job-log handlers need (ecsTaskStopped.ts, jobLogs.ts), once per container. */
export const awsTaskReporting = (env: Env = process.env) => (taskReporting ??= composeTaskReporting(env));
