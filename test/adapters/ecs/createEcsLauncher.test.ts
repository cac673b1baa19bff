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
import { createEcsLauncher, EcsCallError, EcsLaunchError, JobTaskContract, OverridesTooLargeError } from '../../../lambdas/adapters/ecs';
import { ErrorCodes } from '../../../lambdas/core/errors';
import { jobFactory } from '../../helpers/factories';
import { requestFactory } from './requestFactory';

const TASK_ARN = 'arn:aws:ecs:eu-west-1:111122223333:task/jobs/0123456789abcdef';
const ecs = mockClient(ECSClient);

const launcher = () =>
  createEcsLauncher({
    client: new ECSClient({ region: 'eu-west-1' }),
    cluster: 'jobs',
    subnets: ['subnet-aaa', 'subnet-bbb'],
    securityGroup: 'sg-jobs',
    taskDefinitions: {
      bash: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/cronium-bash:3',
      python: 'cronium-python:7',
      node: 'cronium-node',
    },
  });

const decodedScript = (env: { name?: string; value?: string }[] | undefined): string =>
  Buffer.from(env?.find((e) => e.name === 'CRONIUM_SCRIPT_B64')?.value ?? '', 'base64').toString('utf8');

beforeEach(() => {
  ecs.reset();
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

  it('passes the script base64-encoded with the request env (resolved) and the workspace path, ours winning', async () => {
    // Arrange
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    const script = 'print("héllo")\n';
    const request = requestFactory(
      { runtime: 'python', script, env: { GREETING: { fromVariable: 'greeting' } } },
      { env: { GREETING: 'hi', CRONIUM_WORKSPACE: '/elsewhere' } },
    );

    // Act
    await launcher().create(request);

    // Assert
    const override = ecs.commandCalls(RunTaskCommand)[0]!.args[0].input.overrides?.containerOverrides?.[0];
    expect(override?.name).toBe(JobTaskContract.containerName);
    expect(override?.environment).toEqual(
      expect.arrayContaining([
        { name: 'GREETING', value: 'hi' },
        { name: 'CRONIUM_WORKSPACE', value: '/workspace' },
      ]),
    );
    expect(override?.environment?.filter((e) => e.name === 'CRONIUM_WORKSPACE')).toHaveLength(1);
    expect(decodedScript(override?.environment)).toBe(script);
  });

  it.each([
    ['bash', '/workspace/in/script.sh', 'exec bash /workspace/in/script.sh'],
    ['python', '/workspace/in/script.py', 'exec python3 -u /workspace/in/script.py'],
    ['node', '/workspace/in/script.js', 'exec node /workspace/in/script.js'],
  ] as const)('decodes a %s script into the workspace and execs its interpreter', async (runtime, path, exec) => {
    // Arrange
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });

    // Act
    await launcher().create(requestFactory({ runtime }));

    // Assert
    const command = ecs.commandCalls(RunTaskCommand)[0]!.args[0].input.overrides?.containerOverrides?.[0]?.command;
    expect(command?.slice(0, 2)).toEqual(['sh', '-c']);
    expect(command?.[2]).toContain(`base64 -d > ${path}`);
    expect(command?.[2]).toContain('unset CRONIUM_SCRIPT_B64');
    expect(command?.[2]?.endsWith(exec)).toBe(true);
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

  it('refuses a script too large for the 8 KiB overrides limit, naming the limit', async () => {
    // Arrange
    const request = requestFactory({ script: 'x'.repeat(7000) });

    // Act
    const error = await launcher()
      .create(request)
      .catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(OverridesTooLargeError);
    expect(error).toMatchObject({ code: ErrorCodes.launchFailed, limitBytes: 8192, retryable: false });
    expect((error as Error).message).toContain('8192');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  it('accepts a script that just fits under the limit', async () => {
    // Arrange
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    const request = requestFactory({ script: 'x'.repeat(5000) });

    // Act
    const ref = await launcher().create(request);

    // Assert
    expect(ref).toBe(TASK_ARN);
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

  it('delivers only the script file of the workspace, with no other workspace file in the overrides', async () => {
    // Arrange
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: TASK_ARN }] });
    const request = requestFactory({ runtime: 'node', script: 'console.log(1)', input: { marker: 'input-marker' } });

    // Act
    await launcher().create(request);

    // Assert
    const override = ecs.commandCalls(RunTaskCommand)[0]!.args[0].input.overrides?.containerOverrides?.[0];
    expect(request.workspace['in/input.json']).toContain('input-marker');
    expect(decodedScript(override?.environment)).toBe('console.log(1)');
    expect(JSON.stringify(override)).not.toContain('input-marker');
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
  it('calls no ECS API: the task started on RunTask and reports through EventBridge', async () => {
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
        { taskArn: 'arn:t2', lastStatus: 'STOPPED', tags: tags('globex', 'job2') },
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
