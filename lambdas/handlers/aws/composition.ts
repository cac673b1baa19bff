import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { ECSClient } from '@aws-sdk/client-ecs';
import { KMSClient } from '@aws-sdk/client-kms';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createApiGatewayBroadcaster } from '../../adapters/apigw-management';
import { createKmsCipher } from '../../adapters/crypto';
import { createDocumentClient, createDynamoStore } from '../../adapters/dynamodb';
import { createEcsLauncher } from '../../adapters/ecs';
import { createHttpLauncher, isHttpRef, parseHttpAllowList } from '../../adapters/http';
import { routeJobs } from '../../adapters/routing';
import { createSshExecutor, createSshServerAccess } from '../../adapters/ssh';
import { createSqsJobQueue } from '../../adapters/sqs';
import { createIdGenerator, createPinoLogger, systemClock } from '../../adapters/system';
import { ConfigError, coreConfigFromEnv } from '../../config/coreConfigFromEnv';
import type { Env } from '../../config/coreConfigFromEnv';
import type { ExecutionLauncher, ControlPlane, ExecutionEvents } from '../../core';
import { createControlPlane } from '../../core';

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
