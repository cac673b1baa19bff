import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createApiGatewayBroadcaster } from '../../adapters/apigw-management';
import { createKmsCipher } from '../../adapters/crypto';
import { createDocumentClient, createDynamoStore } from '../../adapters/dynamodb';
import { createEcsLauncher, createJobLogReader, createTaskJobs, familyOf, jobLogStreamName, taskIdOf } from '../../adapters/ecs';
import type { EcsTaskStateChangeDetail } from '../../adapters/ecs';
import { createHttpLauncher, isHttpRef, parseHttpAllowList } from '../../adapters/http';
import { routeJobs } from '../../adapters/routing';
import { createSshExecutor, createSshServerAccess } from '../../adapters/ssh';
import { createSqsJobQueue } from '../../adapters/sqs';
import { createIdGenerator, createPinoLogger, systemClock } from '../../adapters/system';
import { ConfigError, coreConfigFromEnv } from '../../config/coreConfigFromEnv';
import type { Env } from '../../config/coreConfigFromEnv';
import type { ExecutionLauncher, ControlPlane, ExecutionEvents } from '../../core';
import { createControlPlane, ScriptRuntimes } from '../../core';
import { createJobLogForwarding } from './jobLogForwarding';

const required = (env: Env, name: string): string => {
  const value = env[name];
  if (!value) throw new ConfigError(name, 'is required');
  return value;
};

let built: ReturnType<typeof compose> | undefined;

const compose = (env: Env) => {
  const logger = createPinoLogger({ level: env['LOG_LEVEL'] });
  const broadcaster = createApiGatewayBroadcaster({
    client: new ApiGatewayManagementApiClient({ endpoint: required(env, 'CRONIUM_WS_ENDPOINT') }),
  });
  // Launchers report into the core that is being built here.
  let cp: ControlPlane | undefined;
  const events: ExecutionEvents = {
    output: (key, lines, token) => cp!.executions.output(key, lines, token),
    exited: (key, report) => cp!.executions.exited(key, report),
    hostKeySeen: (key, serverId, fingerprint) => cp!.executions.hostKeySeen(key, serverId, fingerprint),
  };
  const http = createHttpLauncher({ events, allow: parseHttpAllowList(env['CRONIUM_HTTP_ALLOW']), maxBodyBytes: 256 * 1024 });
  // A Lambda is frozen once it returns: an http job runs to its end inside the dispatcher's invocation.
  const httpToCompletion: ExecutionLauncher = {
    ...http,
    async start(ref, job) {
      await http.start(ref, job);
      await http.drain();
    },
  };
  cp = createControlPlane({
    store: createDynamoStore({
      tableName: required(env, 'CRONIUM_TABLE'),
      client: createDocumentClient(),
    }),
    queue: createSqsJobQueue({ client: new SQSClient({}), queueUrl: required(env, 'CRONIUM_QUEUE_URL') }),
    launcher: routeJobs(
      [{ launcher: httpToCompletion, takes: (job) => job.runtime === 'http', owns: isHttpRef }],
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
      }),
    ),
    broadcaster,
    clock: systemClock,
    ids: createIdGenerator(),
    config: coreConfigFromEnv(env),
    logger,
    cipher: createKmsCipher({ client: new KMSClient({}), keyId: required(env, 'CRONIUM_SECRETS_KEY_ID') }),
    // Key checks and connection tests from the API; ssh jobs need the VPC runner Lambda (not yet deployed).
    serverAccess: createSshServerAccess(createSshExecutor({ logger, helpersDir: env['CRONIUM_HELPERS_DIR'] ?? '/var/task/helpers' })),
  });
  return { cp, broadcaster, logger };
};

/** The AWS composition root: ports wired to AWS services from the Lambda's environment, once per container. */
export const awsComposition = (env: Env = process.env) => (built ??= compose(env));

let taskReporting: ReturnType<typeof composeTaskReporting> | undefined;

const composeTaskReporting = (env: Env) => {
  const { cp, logger } = awsComposition(env);
  const events = cp.executions;
  const cluster = required(env, 'CRONIUM_ECS_CLUSTER');
  const store = createDynamoStore({ tableName: required(env, 'CRONIUM_TABLE'), client: createDocumentClient() });
  const runtimeOfFamily = new Map(
    ScriptRuntimes.map((rt) => [familyOf(required(env, `CRONIUM_TASK_DEF_${rt.toUpperCase()}`)), rt] as const),
  );
  const logs = createJobLogForwarding({
    events,
    logTail: (key) => store.logs.tail(key),
    reader: createJobLogReader({ client: new CloudWatchLogsClient({}), logGroup: required(env, 'CRONIUM_JOB_LOG_GROUP') }),
    maxLogBytes: coreConfigFromEnv(env).maxLogBytes,
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
    // readOutputs: wired to the S3 workspace's readOutputs once the workspace is composed here.
  };
};

/** What the ECS completion and job-log handlers need (ecsTaskStopped.ts, jobLogs.ts), once per container. */
export const awsTaskReporting = (env: Env = process.env) => (taskReporting ??= composeTaskReporting(env));
