import {
  AccessDeniedException,
  DescribeTasksCommand,
  ECSClient,
  InvalidParameterException,
  ListTasksCommand,
  RunTaskCommand,
  ServerException,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { extract } from 'tar-stream';
import {
  createEcsLauncher,
  EcsCallError,
  EcsLaunchError,
  JobTaskContract,
  OverridesTooLargeError,
  type TaskWorkspace,
} from '../../../lambdas/adapters/ecs';
import { STOPPED_LISTED_MS } from '../../../lambdas/adapters/ecs/createEcsLauncher';
import { createS3Workspace } from '../../../lambdas/adapters/s3';
import { ErrorCodes } from '../../../lambdas/core/errors';
import { jobFactory } from '../../helpers/factories';
import { requestFactory } from './requestFactory';

/** Every regular file of a tar buffer: name → UTF-8 content. */
const membersOf = async (buffer: Buffer): Promise<Map<string, string>> => {
  const members = new Map<string, string>();
  const ex = extract();
  const done = (async () => {
    for await (const entry of ex) {
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      if (entry.header.type === 'file') members.set(entry.header.name, Buffer.concat(parts).toString('utf8'));
    }
  })();
  ex.end(buffer);
  await done;
  return members;
};

const TASK_ARN = 'arn:aws:ecs:eu-west-1:111122223333:task/jobs/0123456789abcdef';
const ecs = mockClient(ECSClient);
const s3 = mockClient(S3Client);

const IN_URL = 'https://bucket.s3.eu-west-1.amazonaws.com/jobs/acme/job01/in.tar?X-Amz-Signature=in';
const OUT_URL = 'https://bucket.s3.eu-west-1.amazonaws.com/jobs/acme/job01/out.tar?X-Amz-Signature=out';

/** A workspace store that records what it was asked to stage and answers fixed URLs. */
const recordingWorkspace = (urls = { inUrl: IN_URL, outUrl: OUT_URL }) => {
  const staged: Parameters<TaskWorkspace['stage']>[0][] = [];
  const workspace: TaskWorkspace = {
    stage: (request) => {
      staged.push(request);
      return Promise.resolve(urls);
    },
  };
  return { staged, workspace };
};
let store = recordingWorkspace();

const launcher = (workspace: TaskWorkspace = store.workspace, now?: () => number) =>
  createEcsLauncher({
    ...(now ? { now } : {}),
    client: new ECSClient({ region: 'eu-west-1' }),
    cluster: 'jobs',
    subnets: ['subnet-aaa', 'subnet-bbb'],
    securityGroup: 'sg-jobs',
    taskDefinitions: {
      bash: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/cronium-bash:3',
      python: 'cronium-python:7',
      node: 'cronium-node',
    },
    workspace,
  });

beforeEach(() => {
  ecs.reset();
  s3.reset();
  store = recordingWorkspace();
});

describe('createEcsLauncher create', () => {
  it('runs one Fargate task in the job subnets without a public IP and returns its ARN', async () => {
    // Arrange
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }], failures: [] });
    const request = requestFactory({ tenant: 'acme', id: 'job01', runtime: 'bash' });

    // Act
    const ref = await launcher().create(request);

    // Assert
    expect(ref).toBe(TASK_ARN);
    const input = ecs.commandCalls(RunTaskCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      cluster: 'jobs',
      taskDefinition: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/cronium-bash:3',
      launchType: 'FARGATE',
      count: 1,
      networkConfiguration: {
        awsvpcConfiguration: { subnets: ['subnet-aaa', 'subnet-bbb'], securityGroups: ['sg-jobs'], assignPublicIp: 'DISABLED' },
      },
    });
  });

  it('tags the task with tenant and job id and starts it by the job id', async () => {
    // Arrange
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    const request = requestFactory({ tenant: 'acme', id: 'job01' });

    // Act
    await launcher().create(request);

    // Assert
    const input = ecs.commandCalls(RunTaskCommand)[0]!.args[0].input;
    expect(input.startedBy).toBe('job01');
    expect(input.tags).toEqual([
      { key: JobTaskContract.tags.tenant, value: 'acme' },
      { key: JobTaskContract.tags.jobId, value: 'job01' },
    ]);
  });

  it('tags the task of a job that got no secret value so, and no other', async () => {
    // Arrange
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });

    // Act
    await launcher().create({ ...requestFactory({ id: 'job01' }), secretFree: true });
    await launcher().create(requestFactory({ id: 'job02' }));

    // Assert
    const [free, other] = ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input.tags);
    expect(free).toContainEqual({ key: JobTaskContract.tags.secrets, value: JobTaskContract.noSecrets });
    expect(other?.map((t) => t.key)).not.toContain(JobTaskContract.tags.secrets);
  });

  it('tags the task of a job whose log was empty at launch so, and no other', async () => {
    // Arrange
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });

    // Act
    await launcher().create({ ...requestFactory({ id: 'job01' }), freshLog: true });
    await launcher().create(requestFactory({ id: 'job02' }));

    // Assert
    const [fresh, other] = ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input.tags);
    expect(fresh).toContainEqual({ key: JobTaskContract.tags.log, value: JobTaskContract.freshLog });
    expect(other?.map((t) => t.key)).not.toContain(JobTaskContract.tags.log);
  });

  it('passes only the workspace path and the two presigned URLs in the overrides', async () => {
    // Arrange
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    const request = requestFactory({ runtime: 'python', script: 'print("héllo")\n' }, { env: { GREETING: 'hi' } });

    // Act
    await launcher().create(request);

    // Assert
    const override = ecs.commandCalls(RunTaskCommand)[0]!.args[0].input.overrides?.containerOverrides?.[0];
    expect(override?.name).toBe(JobTaskContract.containerName);
    expect(override?.environment).toEqual([
      { name: 'CRONIUM_WORKSPACE', value: '/workspace' },
      { name: JobTaskContract.env.inUrl, value: IN_URL },
      { name: JobTaskContract.env.outUrl, value: OUT_URL },
    ]);
  });

  it('stages every workspace file and the resolved env, its own workspace path winning, before RunTask', async () => {
    // Arrange
    let stagedBeforeRunTask = -1;
    ecs.on(RunTaskCommand).callsFake(() => {
      stagedBeforeRunTask = store.staged.length;
      return { tasks: [{ taskArn: TASK_ARN }] };
    });
    const request = requestFactory(
      { tenant: 'acme', id: 'job01', runtime: 'node', script: 'console.log(1)', input: { marker: 'input-marker' }, timeoutSeconds: 120 },
      { env: { GREETING: 'hi', CRONIUM_WORKSPACE: '/elsewhere' } },
    );

    // Act
    await launcher().create(request);

    // Assert
    expect(stagedBeforeRunTask).toBe(1);
    expect(store.staged).toEqual([
      {
        key: { tenant: 'acme', jobId: 'job01' },
        workspace: request.workspace,
        env: { GREETING: 'hi', CRONIUM_WORKSPACE: '/workspace' },
        timeoutSeconds: 120,
      },
    ]);
    expect(JSON.stringify(ecs.commandCalls(RunTaskCommand)[0]!.args[0].input)).not.toContain('input-marker');
  });

  it('puts no secret value anywhere in the RunTask input: it travels only in the encrypted workspace object', async () => {
    // Arrange
    const secret = 'hunter2-very-secret-value';
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    s3.on(PutObjectCommand).resolves({});
    const workspace = createS3Workspace({
      client: new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret-key' } }),
      bucket: 'cronium-workspace',
    });
    const request = requestFactory(
      { runtime: 'bash', script: 'echo "$DB_PASSWORD"\n', env: { DB_PASSWORD: { fromVariable: 'db' } } },
      { env: { DB_PASSWORD: secret } },
    );
    request.workspace['in/variables.json'] = `${JSON.stringify({ db: secret })}\n`;

    // Act
    await launcher(workspace).create(request);

    // Assert
    const runTask = JSON.stringify(ecs.commandCalls(RunTaskCommand)[0]!.args[0].input);
    expect(runTask).not.toContain(secret);
    expect(runTask).not.toContain(Buffer.from(secret).toString('base64'));
    expect(runTask).not.toContain(encodeURIComponent(secret));
    expect(runTask).not.toContain('echo');
    const put = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(put.ServerSideEncryption).toBe('aws:kms');
    const staged = await membersOf(put.Body as Buffer);
    expect(staged.get('.cronium/env')).toContain(`export DB_PASSWORD='${secret}'`);
    expect(staged.get('in/script.sh')).toBe('echo "$DB_PASSWORD"\n');
  });

  it.each([
    ['bash', ['bash', '/workspace/in/script.sh']],
    ['python', ['python3', '-u', '/workspace/in/script.py']],
    ['node', ['node', '/workspace/in/script.js']],
  ] as const)('runs the %s interpreter on the script file (the image entrypoint fetches in/ first)', async (runtime, command) => {
    // Arrange
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });

    // Act
    await launcher().create(requestFactory({ runtime }));

    // Assert
    expect(ecs.commandCalls(RunTaskCommand)[0]!.args[0].input.overrides?.containerOverrides?.[0]?.command).toEqual(command);
  });

  it('rounds the job resources up to the smallest Fargate size that holds them', async () => {
    // Arrange
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    const request = requestFactory({ resources: { cpu: 0.5, memoryMb: 512, pids: 128 } });

    // Act
    await launcher().create(request);

    // Assert
    const overrides = ecs.commandCalls(RunTaskCommand)[0]!.args[0].input.overrides;
    expect(overrides).toMatchObject({ cpu: '512', memory: '1024' });
  });

  it('rejects resources beyond the largest Fargate size without calling ECS', async () => {
    // Arrange
    const request = requestFactory({ resources: { cpu: 64, memoryMb: 512, pids: 128 } });

    // Act
    const result = launcher().create(request);

    // Assert
    await expect(result).rejects.toMatchObject({ code: ErrorCodes.launchFailed, reason: 'resources_too_large' });
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('launches a script far larger than the 8 KiB of overrides: the script travels in the workspace', async () => {
    // Arrange
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    const request = requestFactory({ script: 'x'.repeat(100_000) });

    // Act
    const ref = await launcher().create(request);

    // Assert
    expect(ref).toBe(TASK_ARN);
    expect(store.staged[0]?.workspace['in/script.sh']).toHaveLength(100_000);
  });

  it('refuses overrides over the 8 KiB limit (overlong URLs), naming the limit, without calling RunTask', async () => {
    // Arrange
    const long = `https://bucket/in.tar?X-Amz-Security-Token=${'t'.repeat(9_000)}`;

    // Act
    const error = await launcher(recordingWorkspace({ inUrl: long, outUrl: OUT_URL }).workspace)
      .create(requestFactory())
      .catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(OverridesTooLargeError);
    expect(error).toMatchObject({ code: ErrorCodes.launchFailed, limitBytes: 8192, retryable: false });
    expect((error as Error).message).toContain('8192');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('calls no RunTask when the workspace cannot be staged', async () => {
    // Arrange
    const failing: TaskWorkspace = { stage: () => Promise.reject(new Error('S3 is down')) };

    // Act
    const result = launcher(failing).create(requestFactory());

    // Assert
    await expect(result).rejects.toThrow('S3 is down');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('gives the same job at the same version the same client token, and a new version a new one', async () => {
    // Arrange
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    const request = requestFactory({ id: 'job01', version: 2 });

    // Act
    await launcher().create(request);
    await launcher().create(request);
    await launcher().create({ ...request, job: { ...request.job, version: 3 } });

    // Assert
    const tokens = ecs.commandCalls(RunTaskCommand).map((c) => c.args[0].input.clientToken);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
    expect(tokens[0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects an http job as not a script job without calling ECS', async () => {
    // Arrange
    const request = requestFactory({
      runtime: 'http',
      script: undefined,
      http: { method: 'GET', url: 'https://example.com/', headers: {}, timeoutMs: 1_000 },
    });

    // Act
    const error = await launcher()
      .create(request)
      .catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(EcsLaunchError);
    expect(error).toMatchObject({ code: ErrorCodes.launchFailed, reason: 'not_a_script_job', retryable: false });
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
    expect(store.staged).toHaveLength(0);
  });

  it('rejects a workspace without the script file of the job runtime without calling ECS', async () => {
    // Arrange
    const request = requestFactory({ runtime: 'python' }, { workspace: { 'in/script.sh': 'echo wrong runtime' } });

    // Act
    const error = await launcher()
      .create(request)
      .catch((e: unknown) => e);

    // Assert
    expect(error).toMatchObject({ code: ErrorCodes.launchFailed, reason: 'no_script', retryable: false });
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
    expect(store.staged).toHaveLength(0);
  });

  it('maps RunTask failures to a launch error carrying the reason', async () => {
    // Arrange
    ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'MISSING', detail: 'task definition inactive' }] });

    // Act
    const error = await launcher()
      .create(requestFactory())
      .catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(EcsLaunchError);
    expect(error).toMatchObject({ code: ErrorCodes.launchFailed, reason: 'MISSING', retryable: false });
    expect((error as Error).message).toContain('task definition inactive');
  });

  it('marks a capacity failure as retryable', async () => {
    // Arrange
    ecs.on(RunTaskCommand).resolves({ failures: [{ reason: 'Capacity is unavailable at this time' }] });

    // Act
    const error = await launcher()
      .create(requestFactory())
      .catch((e: unknown) => e);

    // Assert
    expect(error).toMatchObject({ code: ErrorCodes.launchFailed, retryable: true });
  });

  it('wraps a server fault of RunTask in a retryable launch error with the cause', async () => {
    // Arrange
    const cause = new ServerException({ message: 'internal failure', $metadata: {} });
    ecs.on(RunTaskCommand).rejects(cause);

    // Act
    const error = await launcher()
      .create(requestFactory())
      .catch((e: unknown) => e);

    // Assert
    expect(error).toMatchObject({ code: ErrorCodes.launchFailed, reason: 'ServerException', retryable: true });
    expect((error as Error).cause).toBe(cause);
  });

  it('wraps a denied RunTask call in a launch error that is not retryable', async () => {
    // Arrange
    ecs.on(RunTaskCommand).rejects(new AccessDeniedException({ message: 'not authorized', $metadata: {} }));

    // Act
    const error = await launcher()
      .create(requestFactory())
      .catch((e: unknown) => e);

    // Assert
    expect(error).toMatchObject({ code: ErrorCodes.launchFailed, reason: 'AccessDeniedException', retryable: false });
  });
});

describe('createEcsLauncher start and reattach', () => {
  it('calls no ECS API: the task started on RunTask and nothing is followed from the launcher', async () => {
    // Arrange
    const job = jobFactory();

    // Act
    await launcher().start(TASK_ARN, job);
    await launcher().reattach(TASK_ARN, job, 'token');

    // Assert
    expect(ecs.calls()).toHaveLength(0);
  });
});

describe('createEcsLauncher stop', () => {
  it('stops the task in the cluster', async () => {
    // Arrange
    ecs.on(StopTaskCommand).resolves({});

    // Act
    await launcher().stop(TASK_ARN);

    // Assert
    expect(ecs.commandCalls(StopTaskCommand)[0]!.args[0].input).toMatchObject({ cluster: 'jobs', task: TASK_ARN });
  });

  it('treats a task ECS no longer knows as already stopped', async () => {
    // Arrange
    ecs.on(StopTaskCommand).rejects(new InvalidParameterException({ message: 'The referenced task was not found.', $metadata: {} }));

    // Act
    const result = launcher().stop(TASK_ARN);

    // Assert
    await expect(result).resolves.toBeUndefined();
  });

  it('reports any other StopTask failure wrapped with its cause', async () => {
    // Arrange
    const cause = new InvalidParameterException({ message: 'Task Identifier is invalid', $metadata: {} });
    ecs.on(StopTaskCommand).rejects(cause);

    // Act
    const error = await launcher()
      .stop('not-an-arn')
      .catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(EcsCallError);
    expect((error as Error).cause).toBe(cause);
  });
});

describe('createEcsLauncher list', () => {
  it('lists running and stopped tasks of every runtime family with the job read from their tags', async () => {
    // Arrange
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs.on(ListTasksCommand, { family: 'cronium-bash', desiredStatus: 'RUNNING' }).resolves({ taskArns: ['arn:t1'] });
    ecs.on(ListTasksCommand, { family: 'cronium-python', desiredStatus: 'STOPPED' }).resolves({ taskArns: ['arn:t2', 'arn:t3'] });
    const tags = (tenant: string, jobId: string) => [
      { key: JobTaskContract.tags.tenant, value: tenant },
      { key: JobTaskContract.tags.jobId, value: jobId },
    ];
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        { taskArn: 'arn:t1', lastStatus: 'RUNNING', tags: tags('acme', 'job1') },
        { taskArn: 'arn:t2', lastStatus: 'STOPPED', stoppedAt: new Date(Date.now() - 30_000), tags: tags('globex', 'job2') },
        { taskArn: 'arn:t3', lastStatus: 'RUNNING', tags: [] },
      ],
    });

    // Act
    const executions = await launcher().list();

    // Assert
    expect(executions).toEqual([
      { key: { tenant: 'acme', jobId: 'job1' }, ref: 'arn:t1', running: true },
      { key: { tenant: 'globex', jobId: 'job2' }, ref: 'arn:t2', running: false },
    ]);
    const families = ecs.commandCalls(ListTasksCommand).map((c) => c.args[0].input.family);
    expect(new Set(families)).toEqual(new Set(['cronium-bash', 'cronium-python', 'cronium-node']));
    expect(ecs.commandCalls(DescribeTasksCommand)[0]!.args[0].input).toMatchObject({ cluster: 'jobs', include: ['TAGS'] });
  });

  it('leaves out tasks stopped longer ago than STOPPED_LISTED_MS, so the tick does not stop them again', async () => {
    // Arrange: ECS lists stopped tasks for about an hour.
    const at = Date.parse('2026-12-05T12:00:00Z');
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs
      .on(ListTasksCommand, { family: 'cronium-bash', desiredStatus: 'STOPPED' })
      .resolves({ taskArns: ['arn:old', 'arn:new', 'arn:stopping'] });
    const tags = (jobId: string) => [
      { key: JobTaskContract.tags.tenant, value: 'acme' },
      { key: JobTaskContract.tags.jobId, value: jobId },
    ];
    ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        { taskArn: 'arn:old', lastStatus: 'STOPPED', stoppedAt: new Date(at - STOPPED_LISTED_MS - 1), tags: tags('old') },
        { taskArn: 'arn:new', lastStatus: 'STOPPED', stoppedAt: new Date(at - 10_000), tags: tags('new') },
        { taskArn: 'arn:stopping', lastStatus: 'DEPROVISIONING', tags: tags('stopping') },
      ],
    });

    // Act
    const executions = await launcher(store.workspace, () => at).list();

    // Assert: a task still stopping counts as running (its job is not lost); an old stopped one is gone.
    expect(executions).toEqual([
      { key: { tenant: 'acme', jobId: 'new' }, ref: 'arn:new', running: false },
      { key: { tenant: 'acme', jobId: 'stopping' }, ref: 'arn:stopping', running: true },
    ]);
  });

  it('describes tasks in batches of at most 100', async () => {
    // Arrange
    const arns = Array.from({ length: 150 }, (_, i) => `arn:t${i}`);
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs.on(ListTasksCommand, { family: 'cronium-node', desiredStatus: 'RUNNING' }).resolves({ taskArns: arns });
    ecs.on(DescribeTasksCommand).resolves({ tasks: [] });

    // Act
    await launcher().list();

    // Assert
    const sizes = ecs.commandCalls(DescribeTasksCommand).map((c) => c.args[0].input.tasks?.length);
    expect(sizes).toEqual([100, 50]);
  });
});
