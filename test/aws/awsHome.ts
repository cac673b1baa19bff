import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, ECSClient, ListTasksCommand, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import type { RunTaskCommandInput } from '@aws-sdk/client-ecs';
import { KMSClient, DecryptCommand, EncryptCommand } from '@aws-sdk/client-kms';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import dynalite from 'dynalite';
import { extract, pack } from 'tar-stream';
import { createDocumentClient, ensureTable } from '../../lambdas/adapters/dynamodb';
import { authorizerEvent, restEvent, sqsEvent } from '../handlers/fixtures';

/** A task definition ARN per runtime, of the family the STOPPED fixtures name for bash. */
const TaskDefinitions = {
  bash: 'arn:aws:ecs:us-east-1:111122223333:task-definition/CroniumJobsBashTaskDefinitionA1B2C3:4',
  python: 'arn:aws:ecs:us-east-1:111122223333:task-definition/CroniumJobsPythonTaskDefinitionD4E5F6:4',
  node: 'arn:aws:ecs:us-east-1:111122223333:task-definition/CroniumJobsNodeTaskDefinition7A8B9C:4',
} as const;
const CLUSTER = 'CroniumJobsCluster';
const BUCKET = 'cronium-workspace';
const LOG_GROUP = 'Cronium-JobsJobLogs1A2B3C4D-AbCdEfGhIjKl';
const TABLE = 'cronium-aws-flow';

const fakeContext = { awsRequestId: 'req-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../handlers/fixtures/aws/${name}`, import.meta.url), 'utf8')) as {
    detail: Record<string, unknown>;
  } & Record<string, unknown>;

/** One Fargate task the ECS mock started. */
export interface FakeTask {
  arn: string;
  id: string;
  tenant: string;
  jobId: string;
  runtime: keyof typeof TaskDefinitions;
  input: RunTaskCommandInput;
  /** What DescribeTasks/ListTasks say; `gone` tasks are no longer listed at all. */
  state: 'RUNNING' | 'STOPPED' | 'gone';
  /** The task's whole log stream, as FilterLogEvents reads it. */
  stream: Array<{ id: string; timestamp: number; message: string }>;
}

/** Every AWS request the mocks answered, by service, and every DynamoDB request by operation. */
export interface RequestCounts {
  dynamodb: Record<string, number>;
  sqs: number;
  ecs: Record<string, number>;
  s3: Record<string, number>;
  kms: number;
  logs: number;
  apigw: number;
}

/** Environment the AWS composition reads, as the CDK stack sets it on the functions. */
const baseEnv = (endpoint: string): Record<string, string> => ({
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  // The SDK's own per-service endpoint variable: the composition's DynamoDB client goes to dynalite.
  AWS_ENDPOINT_URL_DYNAMODB: endpoint,
  LOG_LEVEL: process.env['FLOW_LOG_LEVEL'] ?? 'silent',
  CRONIUM_TABLE: TABLE,
  CRONIUM_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/111122223333/cronium-jobs',
  CRONIUM_WS_ENDPOINT: 'https://ws123.execute-api.us-east-1.amazonaws.com/prod',
  CRONIUM_SECRETS_KEY_ID: 'alias/cronium-secrets',
  CRONIUM_WORKSPACE_BUCKET: BUCKET,
  CRONIUM_ECS_CLUSTER: CLUSTER,
  CRONIUM_ECS_SUBNETS: 'subnet-0a1b2c3d4e5f60718,subnet-0a1b2c3d4e5f60719',
  CRONIUM_ECS_SECURITY_GROUP: 'sg-0123456789abcdef0',
  CRONIUM_TASK_DEF_BASH: TaskDefinitions.bash,
  CRONIUM_TASK_DEF_PYTHON: TaskDefinitions.python,
  CRONIUM_TASK_DEF_NODE: TaskDefinitions.node,
  CRONIUM_JOB_LOG_GROUP: LOG_GROUP,
});

const runtimeOf = (taskDefinition: string | undefined) =>
  (Object.entries(TaskDefinitions).find(([, arn]) => arn === taskDefinition)?.[0] ?? 'bash') as FakeTask['runtime'];

const tarOf = async (files: Record<string, string>): Promise<Buffer> => {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  for (const [name, content] of Object.entries(files)) p.entry({ name: `./${name}` }, content);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
};

/** Every member of a tar: name → content. */
export const untar = async (buffer: Buffer): Promise<Map<string, string>> => {
  const members = new Map<string, string>();
  const ex = extract();
  const done = (async () => {
    for await (const entry of ex) {
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      members.set(entry.header.name, Buffer.concat(parts).toString('utf8'));
    }
  })();
  ex.end(buffer);
  await done;
  return members;
};

const countBy = (names: string[]) => names.reduce<Record<string, number>>((acc, n) => ({ ...acc, [n]: (acc[n] ?? 0) + 1 }), {});
const commandName = (call: { args: readonly unknown[] }) => (call.args[0] as object).constructor.name.replace(/Command$/, '');

/**
 * The AWS home on this machine: the real AWS composition root and the real Lambda entry points
 * (lambdas/handlers/*.ts `handler`), dynalite as the table (reached through the SDK's own
 * `AWS_ENDPOINT_URL_DYNAMODB`), and aws-sdk-client-mock at the SDK boundary for SQS, ECS, S3, KMS,
 * CloudWatch Logs and the API Gateway management API. The mocks behave as the services would for
 * one job: RunTask starts a task with the tags it was given, DescribeTasks and ListTasks report it,
 * FilterLogEvents reads the task's stream, GetObject returns the `out/` tar the "task" uploaded.
 *
 * It sets process.env; the composition and the entry points memoize what they build, so a caller
 * that wants a fresh home per test resets the module registry before each start (vi.resetModules).
 */
export async function startAwsHome(o: { env?: Record<string, string> } = {}) {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynamoRequests: string[] = [];
  server.on('request', (req: { headers: Record<string, string | undefined> }) => {
    const target = req.headers['x-amz-target'];
    if (target) dynamoRequests.push(target.split('.').pop()!);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const setup = createDocumentClient({ endpoint, region: 'local', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  await ensureTable(setup, TABLE);
  setup.destroy();

  const env = { ...baseEnv(endpoint), ...o.env };
  const previous = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);

  const sqs = mockClient(SQSClient);
  const ecs = mockClient(ECSClient);
  const s3 = mockClient(S3Client);
  const kms = mockClient(KMSClient);
  const logs = mockClient(CloudWatchLogsClient);
  const apigw = mockClient(ApiGatewayManagementApiClient);
  const mocks = { sqs, ecs, s3, kms, logs, apigw };

  let messageId = 0;
  sqs.on(SendMessageCommand).callsFake(() => ({ MessageId: `msg-${++messageId}` }));

  // KMS: an opaque blob per plaintext; the plaintext never leaves this map.
  const sealed = new Map<string, Uint8Array>();
  kms.on(EncryptCommand).callsFake((input: { Plaintext: Uint8Array }) => {
    const blob = randomBytes(32);
    sealed.set(blob.toString('hex'), input.Plaintext);
    return { CiphertextBlob: blob };
  });
  kms.on(DecryptCommand).callsFake((input: { CiphertextBlob: Uint8Array }) => {
    const plain = sealed.get(Buffer.from(input.CiphertextBlob).toString('hex'));
    if (!plain) throw Object.assign(new Error('bad blob'), { name: 'InvalidCiphertextException' });
    return { Plaintext: plain };
  });

  const tasks = new Map<string, FakeTask>();
  const taskOf = (ref: string) => tasks.get(ref.split('/').pop()!);
  ecs.on(RunTaskCommand).callsFake((input: RunTaskCommandInput) => {
    const id = randomBytes(16).toString('hex');
    const arn = `arn:aws:ecs:us-east-1:111122223333:task/${CLUSTER}/${id}`;
    const tag = (k: string) => input.tags?.find((t) => t.key === k)?.value ?? '';
    const task: FakeTask = {
      arn,
      id,
      tenant: tag('cronium:tenant'),
      jobId: tag('cronium:job-id'),
      runtime: runtimeOf(input.taskDefinition),
      input,
      state: 'RUNNING',
      stream: [],
    };
    tasks.set(id, task);
    return { tasks: [{ taskArn: arn, lastStatus: 'PROVISIONING' }], failures: [] };
  });
  ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
    tasks: input.tasks
      .map(taskOf)
      .filter((t): t is FakeTask => t !== undefined && t.state !== 'gone')
      .map((t) => ({
        taskArn: t.arn,
        lastStatus: t.state,
        taskDefinitionArn: TaskDefinitions[t.runtime],
        // ECS describes a task with the tags RunTask put on it.
        tags: t.input.tags ?? [],
      })),
    failures: [],
  }));
  ecs.on(ListTasksCommand).callsFake((input: { family?: string; desiredStatus?: string }) => ({
    taskArns: [...tasks.values()]
      .filter((t) => t.state === input.desiredStatus && TaskDefinitions[t.runtime].includes(`/${input.family}:`))
      .map((t) => t.arn),
  }));
  ecs.on(StopTaskCommand).callsFake((input: { task: string }) => {
    const task = taskOf(input.task);
    if (task && task.state === 'RUNNING') task.state = 'STOPPED';
    return { task: { taskArn: task?.arn } };
  });

  // S3: in.tar as the dispatcher put it; out.tar as the "task" uploaded it through its PUT URL.
  const objects = new Map<string, Buffer>();
  s3.on(PutObjectCommand).callsFake((input: { Key: string; Body: Buffer }) => {
    objects.set(input.Key, Buffer.from(input.Body));
    return { ETag: '"1"' };
  });
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    const body = objects.get(input.Key);
    if (!body)
      throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    return { Body: Readable.from([body]), ContentLength: body.length };
  });

  logs.on(FilterLogEventsCommand).callsFake((input: { logStreamNames: string[]; startTime?: number }) => {
    const id = input.logStreamNames[0]!.split('/').pop()!;
    const stream = tasks.get(id)?.stream ?? [];
    return {
      events: stream
        .filter((e) => input.startTime === undefined || e.timestamp >= input.startTime)
        .map((e) => ({ eventId: e.id, timestamp: e.timestamp, message: e.message, logStreamName: input.logStreamNames[0] })),
    };
  });

  /** Every frame the management API was asked to push, per connection. */
  const pushed: Array<{ connectionId: string; frame: Record<string, unknown> }> = [];
  apigw.on(PostToConnectionCommand).callsFake((input: { ConnectionId: string; Data: Uint8Array | string }) => {
    const text = typeof input.Data === 'string' ? input.Data : Buffer.from(input.Data).toString('utf8');
    const parsed = JSON.parse(text) as Record<string, unknown> | Array<Record<string, unknown>>;
    for (const frame of Array.isArray(parsed) ? parsed : [parsed]) pushed.push({ connectionId: input.ConnectionId, frame });
    return {};
  });

  const [composition, authorizer, rest, dispatcher, websocket, jobLogs, ecsTaskStopped, tick, deadLetters] = await Promise.all([
    import('../../lambdas/handlers/aws/composition'),
    import('../../lambdas/handlers/authorizer'),
    import('../../lambdas/handlers/rest'),
    import('../../lambdas/handlers/dispatcher'),
    import('../../lambdas/handlers/websocket'),
    import('../../lambdas/handlers/jobLogs'),
    import('../../lambdas/handlers/ecsTaskStopped'),
    import('../../lambdas/handlers/tick'),
    import('../../lambdas/handlers/deadLetters'),
  ]);
  const { key } = await composition.awsComposition().cp.auth.issue('acme', 'admin');

  let dispatchedMessages = 0;
  let eventId = 10n ** 55n;

  const home = {
    env,
    tasks,
    objects,
    pushed,
    mocks,
    /** API key of tenant acme (admin). */
    key,

    /** A REST call as API Gateway makes it: the authorizer first, then the proxy event with its context. */
    async rest(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
      const allowed = await authorizer.handler(authorizerEvent({ header: `Bearer ${key}` }), fakeContext);
      const event = restEvent(method, path, { body });
      event.requestContext.authorizer = { ...allowed.context, principalId: allowed.principalId };
      const res: APIGatewayProxyResult = await rest.handler(event, fakeContext);
      return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
    },

    /** Feeds every SendMessage not fed yet to the dispatcher, as one SQS batch. */
    async dispatch() {
      const bodies = sqs
        .commandCalls(SendMessageCommand)
        .slice(dispatchedMessages)
        .map((c) => c.args[0].input.MessageBody!);
      dispatchedMessages += bodies.length;
      if (bodies.length === 0) return { batchItemFailures: [] };
      return dispatcher.handler(sqsEvent(bodies), fakeContext);
    },

    /** The messages sent to the queue so far. */
    sentMessages: () => sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input),

    /** The task started for a job. */
    taskOf(jobId: string): FakeTask {
      const task = [...tasks.values()].find((t) => t.jobId === jobId);
      if (!task) throw new Error(`no task was started for job ${jobId}`);
      return task;
    },

    /** The job's `in/` archive as the dispatcher put it. */
    async inputOf(jobId: string) {
      const key = [...objects.keys()].find((k) => k.endsWith(`/${encodeURIComponent(jobId)}/in.tar`));
      return key ? untar(objects.get(key)!) : undefined;
    },

    /** The task uploads `out/` (what the entrypoint does through its presigned PUT). */
    async uploadOut(jobId: string, files: Record<string, string>) {
      objects.set(`jobs/acme/${encodeURIComponent(jobId)}/out.tar`, await tarOf(files));
    },

    /** The task writes lines to its awslogs stream; returns the new events. */
    writeLines(task: FakeTask, lines: string[], timestamp = Date.now()) {
      const events = lines.map((message) => ({ id: String(eventId++), timestamp, message }));
      task.stream.push(...events);
      return events;
    },

    /** A CloudWatch Logs subscription delivery (gzip + base64) of these events to the forwarder. */
    async deliverLogs(task: FakeTask, events: FakeTask['stream']) {
      const decoded = {
        messageType: 'DATA_MESSAGE',
        owner: '111122223333',
        logGroup: LOG_GROUP,
        logStream: `${task.runtime}/job/${task.id}`,
        subscriptionFilters: ['Cronium-JobCompletionJobLogsSubscription5E6F7A8B-XyZ0123456'],
        logEvents: events,
      };
      const data = gzipSync(Buffer.from(JSON.stringify(decoded))).toString('base64');
      await jobLogs.handler({ awslogs: { data } }, fakeContext);
    },

    /** EventBridge delivers `ECS Task State Change` STOPPED for the task (fixture shape, this task's ids). */
    async stopped(task: FakeTask, o: { fixture?: string; detail?: Record<string, unknown>; exitCode?: number } = {}) {
      if (task.state === 'RUNNING') task.state = 'STOPPED';
      const event = fixture(o.fixture ?? 'ecs-task-stopped-exit.json');
      const containers = (event.detail['containers'] as Array<Record<string, unknown>>).map((c) => ({
        ...c,
        taskArn: task.arn,
        ...(o.exitCode !== undefined ? { exitCode: o.exitCode } : {}),
      }));
      event.detail = {
        ...event.detail,
        taskArn: task.arn,
        taskDefinitionArn: TaskDefinitions[task.runtime],
        startedBy: task.jobId,
        containers,
        ...o.detail,
      };
      event['resources'] = [task.arn];
      await ecsTaskStopped.handler(event as never, fakeContext);
    },

    /** One EventBridge `rate(1 minute)` tick. */
    tick: () =>
      tick.handler(
        {
          version: '0',
          id: 'tick-1',
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          account: '111122223333',
          time: new Date().toISOString(),
          region: 'us-east-1',
          resources: ['arn:aws:events:us-east-1:111122223333:rule/Cronium-Tick'],
          detail: {},
        } as never,
        fakeContext,
      ),

    /** The DLQ consumer gets these message bodies. */
    deadLetters: (bodies: string[]) => deadLetters.handler(sqsEvent(bodies), fakeContext),

    /** A WebSocket client: `$connect` through the authorizer, then `subscribe`. */
    async subscribe(connectionId: string, jobId: string, afterSeq = 0) {
      const allowed = await authorizer.handler(authorizerEvent({ token: key, connect: true }), fakeContext);
      const wsEvent = (routeKey: string, body?: string) =>
        ({
          requestContext: { routeKey, connectionId, authorizer: allowed.context ?? null },
          body,
          isBase64Encoded: false,
        }) as never;
      const connected = await websocket.handler(wsEvent('$connect'), fakeContext);
      const subscribed = await websocket.handler(
        wsEvent('$default', JSON.stringify({ action: 'subscribe', jobId, afterSeq })),
        fakeContext,
      );
      return { connected: connected.statusCode, subscribed: subscribed.statusCode };
    },

    /** Frames pushed to one connection. */
    framesTo: (connectionId: string) => pushed.filter((p) => p.connectionId === connectionId).map((p) => p.frame),

    /** Requests made so far (DynamoDB counted at dynalite, the rest at the mocks). */
    counts(): RequestCounts {
      return {
        dynamodb: countBy(dynamoRequests),
        sqs: sqs.calls().length,
        ecs: countBy(ecs.calls().map(commandName)),
        s3: countBy(s3.calls().map(commandName)),
        kms: kms.calls().length,
        logs: logs.calls().length,
        apigw: apigw.calls().length,
      };
    },

    async stop() {
      for (const m of Object.values(mocks)) m.restore();
      for (const [k, v] of Object.entries(previous)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
    },
  };
  return home;
}

export type AwsHome = Awaited<ReturnType<typeof startAwsHome>>;
