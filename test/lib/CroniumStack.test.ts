import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { TableIndexes, TableKeys } from '../../lambdas/adapters/dynamodb/schema';
import { JobTaskContract } from '../../lambdas/adapters/ecs/taskContract';
import { CroniumStack, InvalidPropsError } from '../../lib';
import { resourcesOfType, testApp, thrownBy } from './fixtures';

// Synthesizing the stack takes seconds: synthesize once and share the template.
let stack: CroniumStack;
let template: Template;
beforeAll(() => {
  stack = new CroniumStack(testApp(), 'Cronium');
  template = Template.fromStack(stack);
});

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
const statementsOf = (logicalIdPrefix: string): Statement[] =>
  resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([id]) => id.startsWith(logicalIdPrefix))
    .flatMap(([, p]) => (p.PolicyDocument as { Statement: Statement[] }).Statement);
const actionsOf = (s: Statement): string[] => [s.Action].flat();
const croniumFunctions = () =>
  resourcesOfType(template, 'AWS::Lambda::Function').filter(([id]) => !id.startsWith('CustomVpcRestrictDefaultSG'));
const functionEnv = (logicalIdPrefix: string): Record<string, unknown> => {
  const fn = croniumFunctions().find(([id]) => id.startsWith(logicalIdPrefix));
  return ((fn?.[1].Environment as { Variables: Record<string, unknown> }) ?? { Variables: {} }).Variables;
};

describe('CroniumStack table', () => {
  it('keys the single table by pk/sk with the four GSIs of schema.ts, on demand, with TTL and PITR', () => {
    // Arrange
    const gsis = Object.values(TableIndexes).map((i) => ({
      IndexName: i.name,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' },
        { AttributeName: i.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    }));

    // Act
    const table = Match.objectLike({
      KeySchema: [
        { AttributeName: TableKeys.partitionKey, KeyType: 'HASH' },
        { AttributeName: TableKeys.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: gsis,
      TimeToLiveSpecification: { AttributeName: TableKeys.ttl, Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });

    // Assert
    template.hasResourceProperties('AWS::DynamoDB::Table', table);
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('CroniumStack queue', () => {
  it('redrives to an encrypted dead-letter queue after 5 receives', () => {
    // Arrange
    // The job queue and its DLQ (JobCompletion has a dead-letter queue of its own).
    const queues = resourcesOfType(template, 'AWS::SQS::Queue').filter(([id]) => id.startsWith('Queue'));

    // Act
    const main = queues.find(([, p]) => p.RedrivePolicy !== undefined);

    // Assert
    expect(queues).toHaveLength(2);
    expect(main?.[1].RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^QueueDeadLetterQueue/), 'Arn'] },
      maxReceiveCount: 5,
    });
    for (const [, q] of queues) expect(q.SqsManagedSseEnabled).toBe(true);
  });

  it('hides a received message for at least six dispatcher timeouts', () => {
    // Arrange
    const dispatcherTimeout = croniumFunctions().find(([id]) => id.startsWith('Dispatcher'))?.[1].Timeout as number;

    // Act
    const main = resourcesOfType(template, 'AWS::SQS::Queue').find(([, p]) => p.RedrivePolicy !== undefined);

    // Assert
    expect(main?.[1].VisibilityTimeout).toBeGreaterThanOrEqual(6 * dispatcherTimeout);
  });

  it('denies every request to either queue that does not use TLS', () => {
    // Arrange
    const policies = resourcesOfType(template, 'AWS::SQS::QueuePolicy').filter(([id]) => id.startsWith('Queue'));

    // Act
    const denies = policies.map(([, p]) => (p.PolicyDocument as { Statement: unknown[] }).Statement);

    // Assert
    expect(policies).toHaveLength(2);
    for (const statements of denies) {
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});

describe('CroniumStack functions', () => {
  it('runs every Cronium Lambda on nodejs22.x, ARM64, ESM, traced, with its own log group', () => {
    // Arrange
    const functions = croniumFunctions();

    // Act
    const shapes = functions.map(([, p]) => ({
      runtime: p.Runtime,
      architectures: p.Architectures,
      handler: p.Handler,
      tracing: p.TracingConfig,
      hasLogGroup: p.LoggingConfig !== undefined,
    }));

    // Assert
    // rest, authorizer, websocket, dispatcher, JobCompletion's completion and log forwarder, Reaper's tick and dead letters, the job runner.
    expect(functions).toHaveLength(9);
    for (const shape of shapes) {
      expect(shape).toEqual({
        runtime: 'nodejs22.x',
        architectures: ['arm64'],
        handler: 'index.handler',
        tracing: { Mode: 'Active' },
        hasLogGroup: true,
      });
    }
    const retained = resourcesOfType(template, 'AWS::Logs::LogGroup').filter(([, p]) => p.RetentionInDays === 30);
    expect(retained.length).toBeGreaterThanOrEqual(4);
  });

  it('gives every function the whole environment the AWS composition root requires', () => {
    // Arrange
    const wsEndpoint = {
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: expect.stringMatching(/^WebSocketApi/) },
          '.execute-api.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          '/v1',
        ],
      ],
    };

    // Act
    const names = ['AuthorizerFunction', 'RestFunction', 'WebSocketFunction', 'DispatcherFunction', 'JobRunnerFunction'];
    const envs = names.map((name) => [name, functionEnv(name)] as const);

    // Assert
    for (const [name, env] of envs) {
      expect(env).toEqual({
        // The dispatcher hands jobs over to the runner; REST runs server tests there.
        ...(name === 'DispatcherFunction' || name === 'RestFunction'
          ? { CRONIUM_RUNNER_FUNCTION: { Ref: expect.stringMatching(/^JobRunnerFunction/) } }
          : {}),
        CRONIUM_RUNNER_TIMEOUT_SECONDS: '840',
        NODE_OPTIONS: '--enable-source-maps',
        CRONIUM_TABLE: { Ref: expect.stringMatching(/^Table/) },
        CRONIUM_QUEUE_URL: { Ref: expect.stringMatching(/^Queue/) },
        CRONIUM_WS_ENDPOINT: wsEndpoint,
        CRONIUM_MAX_CONCURRENT: '4',
        CRONIUM_SECRETS_KEY_ID: { 'Fn::GetAtt': [expect.stringMatching(/^SecretsKey/), 'Arn'] },
        CRONIUM_WORKSPACE_BUCKET: { Ref: expect.stringMatching(/^WorkspaceBucket/) },
        CRONIUM_ECS_CLUSTER: { 'Fn::GetAtt': [expect.stringMatching(/^JobsCluster/), 'Arn'] },
        CRONIUM_ECS_SUBNETS: {
          'Fn::Join': [
            ',',
            [{ Ref: expect.stringMatching(/^JobsNetworkVpcjobsSubnet1/) }, { Ref: expect.stringMatching(/^JobsNetworkVpcjobsSubnet2/) }],
          ],
        },
        CRONIUM_ECS_SECURITY_GROUP: { 'Fn::GetAtt': [expect.stringMatching(/^JobsNetworkTaskSecurityGroup/), 'GroupId'] },
        CRONIUM_TASK_DEF_BASH: { Ref: expect.stringMatching(/^JobsBashTaskDefinition/) },
        CRONIUM_TASK_DEF_PYTHON: { Ref: expect.stringMatching(/^JobsPythonTaskDefinition/) },
        CRONIUM_TASK_DEF_NODE: { Ref: expect.stringMatching(/^JobsNodeTaskDefinition/) },
      });
    }
  });

  it('lets the functions that handle secrets only encrypt and decrypt with the rotating secrets key', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:Decrypt', 'kms:Encrypt'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SecretsKey'), 'Arn'] },
          }),
        ]),
      },
      Roles: [{ Ref: Match.stringLikeRegexp('^DispatcherFunctionRole') }],
    });
  });

  it('feeds the dispatcher batches of 10 and lets it report single failed messages', () => {
    // Arrange / Act
    const mapping = Match.objectLike({
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
      FunctionName: { Ref: Match.stringLikeRegexp('^DispatcherFunction') },
    });

    // Assert: the other mapping feeds the dead-letter queue to Reaper's consumer
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 2);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', mapping);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FunctionName: { Ref: Match.stringLikeRegexp('^ReaperDeadLettersFunction') },
    });
  });
});

describe('CroniumStack least privilege', () => {
  it('grants nothing on "*" but the X-Ray and ECR token actions, and ListTasks of the job cluster, that support no resource', () => {
    // Arrange
    const statements = resourcesOfType(template, 'AWS::IAM::Policy').flatMap(
      ([, p]) => (p.PolicyDocument as { Statement: Statement[] }).Statement,
    );

    // Act
    const onStar = statements.filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')));

    // Assert
    expect(onStar.length).toBeGreaterThan(0);
    for (const s of onStar) {
      const listsTasksOfOneCluster =
        actionsOf(s).join() === 'ecs:ListTasks' && JSON.stringify((s as { Condition?: unknown }).Condition).includes('"ecs:cluster"');
      expect(listsTasksOfOneCluster || actionsOf(s).every((a) => a.startsWith('xray:') || a === 'ecr:GetAuthorizationToken')).toBe(true);
    }
  });

  it('lets the authorizer only read the table', () => {
    // Arrange
    const statements = statementsOf('AuthorizerFunctionRole');

    // Act
    const dynamoActions = statements.flatMap(actionsOf).filter((a) => a.startsWith('dynamodb:'));

    // Assert
    expect(dynamoActions.length).toBeGreaterThan(0);
    expect(dynamoActions.filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('sqs:') || a.startsWith('ecs:'))).toEqual([]);
  });

  it('lets only the dispatcher launch job tasks, passing the execution role alone', () => {
    // Arrange
    const prefixes = ['AuthorizerFunctionRole', 'RestFunctionRole', 'WebSocketFunctionRole', 'DispatcherFunctionRole'];

    // Act
    const launchers = prefixes.filter((p) =>
      statementsOf(p)
        .flatMap(actionsOf)
        .some((a) => a === 'ecs:RunTask' || a === 'iam:PassRole'),
    );
    const passRole = statementsOf('DispatcherFunctionRole').filter((s) => actionsOf(s).includes('iam:PassRole'));

    // Assert
    expect(launchers).toEqual(['DispatcherFunctionRole']);
    expect(passRole).toEqual([
      expect.objectContaining({
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^JobsExecutionRole/), 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
      }),
    ]);
  });

  it('lets the REST function stop job tasks of the cluster to cancel a job and describe the cluster for /ready, and nothing more on ECS', () => {
    // Arrange
    const statements = statementsOf('RestFunctionRole');

    // Act
    const ecs = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('ecs:')));
    const stop = ecs.find((s) => actionsOf(s).includes('ecs:StopTask'));
    const describe = ecs.find((s) => actionsOf(s).includes('ecs:DescribeClusters'));

    // Assert
    expect(ecs).toHaveLength(2);
    expect(actionsOf(stop!)).toEqual(['ecs:StopTask']);
    const resource = JSON.stringify(stop!.Resource);
    expect(resource).toContain(':task/');
    expect(resource).toMatch(/"Ref":"JobsCluster[0-9A-F]+"\},"\/\*"/);
    expect(actionsOf(describe!)).toEqual(['ecs:DescribeClusters']);
    expect(describe!.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^JobsCluster/), 'Arn'] });
    expect(
      statementsOf('WebSocketFunctionRole')
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('ecs:')),
    ).toEqual([]);
  });

  it('lets the REST, WebSocket and dispatcher functions push to WebSocket connections of the stage only', () => {
    // Arrange
    const prefixes = ['RestFunctionRole', 'WebSocketFunctionRole', 'DispatcherFunctionRole'];

    // Act
    const grants = prefixes.map((p) => statementsOf(p).find((s) => actionsOf(s).includes('execute-api:ManageConnections')));

    // Assert
    for (const grant of grants) expect(JSON.stringify(grant?.Resource)).toContain('/v1/*/@connections/*');
    expect(statementsOf('AuthorizerFunctionRole').flatMap(actionsOf)).not.toContain('execute-api:ManageConnections');
  });
});

describe('CroniumStack REST API', () => {
  it('puts the Lambda REQUEST authorizer on ANY /{proxy+} and leaves GET /live, /ready, /health and /openapi.json open', () => {
    // Arrange
    const methods = resourcesOfType(template, 'AWS::ApiGateway::Method');

    // Act
    const any = methods.filter(([, p]) => p.HttpMethod === 'ANY');
    const gets = methods.filter(([, p]) => p.HttpMethod === 'GET');

    // Assert
    expect(methods).toHaveLength(5);
    expect(any).toHaveLength(1);
    expect(any[0]![1]).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: expect.stringMatching(/^RestApiAuthorizer/) } });
    expect(gets).toHaveLength(4);
    for (const [, get] of gets) {
      expect(get).toMatchObject({ AuthorizationType: 'NONE' });
      expect(get.AuthorizerId).toBeUndefined();
    }
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 0,
    });
  });

  it("answers 401 and 403 from API Gateway in Cronium's JSON error shape", () => {
    // Arrange
    const unauthorized = '{"error":{"code":"unauthorized","message":"missing or invalid API key"}}';
    const forbidden = '{"error":{"code":"forbidden","message":"not allowed for this API key"}}';

    // Act / Assert
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      StatusCode: '401',
      ResponseTemplates: { 'application/json': unauthorized },
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Content-Type': "'application/json'" }),
    });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'ACCESS_DENIED',
      StatusCode: '403',
      ResponseTemplates: { 'application/json': forbidden },
    });
  });

  it('logs access as JSON, traces, and throttles the stage', () => {
    // Arrange / Act
    const stage = Match.objectLike({
      StageName: 'v1',
      TracingEnabled: true,
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"') },
      MethodSettings: [
        Match.objectLike({ LoggingLevel: 'ERROR', DataTraceEnabled: false, ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
      ],
    });

    // Assert
    template.hasResourceProperties('AWS::ApiGateway::Stage', stage);
  });
});

describe('CroniumStack WebSocket API', () => {
  it('authorizes $connect with the token query parameter and routes $disconnect and $default to the handler', () => {
    // Arrange
    const routes = resourcesOfType(template, 'AWS::ApiGatewayV2::Route');

    // Act
    const byKey = Object.fromEntries(routes.map(([, p]) => [p.RouteKey as string, p]));

    // Assert
    expect(Object.keys(byKey).sort()).toEqual(['$connect', '$default', '$disconnect']);
    expect(byKey.$connect).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: expect.any(String) } });
    expect(byKey.$disconnect?.AuthorizationType).toBe('NONE');
    expect(byKey.$default?.AuthorizationType).toBe('NONE');
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.querystring.token'],
    });
  });

  it('auto-deploys a throttled, access-logged stage created after the account logging role', () => {
    // Arrange / Act
    const stage = template.findResources('AWS::ApiGatewayV2::Stage');
    const [logicalId, resource] = Object.entries(stage)[0] ?? [];

    // Assert
    expect(logicalId).toBeDefined();
    expect(resource?.Properties).toMatchObject({
      StageName: 'v1',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: expect.anything(), Format: expect.stringContaining('$context.connectionId') },
    });
    expect(resource?.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^RestApiAccount/)]));
  });
});

describe('CroniumStack job tasks', () => {
  it('hardens every runtime task definition: user 1000:1000, read-only root, ALL dropped, init, task volumes', () => {
    // Arrange
    const taskDefinitions = resourcesOfType(template, 'AWS::ECS::TaskDefinition');

    // Act
    const containers = taskDefinitions.map(([, p]) => (p.ContainerDefinitions as Record<string, unknown>[])[0]);

    // Assert
    expect(taskDefinitions).toHaveLength(3);
    for (const c of containers) {
      expect(c).toMatchObject({
        Name: JobTaskContract.containerName,
        User: '1000:1000',
        ReadonlyRootFilesystem: true,
        LinuxParameters: { Capabilities: { Drop: ['ALL'] }, InitProcessEnabled: true },
        MountPoints: [
          { ContainerPath: '/workspace', SourceVolume: 'workspace', ReadOnly: false },
          { ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false },
        ],
        LogConfiguration: { LogDriver: 'awslogs' },
      });
      expect(c?.Environment).toBeUndefined();
    }
    for (const [, p] of taskDefinitions) {
      expect(p).toMatchObject({ Cpu: '256', Memory: '512', NetworkMode: 'awsvpc', RequiresCompatibilities: ['FARGATE'] });
      expect(p.Volumes).toEqual([{ Name: 'workspace' }, { Name: 'tmp' }]);
    }
  });

  it('gives job tasks no task role at all, only an execution role', () => {
    // Arrange
    const taskDefinitions = resourcesOfType(template, 'AWS::ECS::TaskDefinition');
    const ecsTaskRoles = resourcesOfType(template, 'AWS::IAM::Role').filter(([, p]) =>
      JSON.stringify(p.AssumeRolePolicyDocument).includes('ecs-tasks.amazonaws.com'),
    );

    // Act
    const taskRoleArns = taskDefinitions.map(([, p]) => p.TaskRoleArn);

    // Assert
    expect(taskRoleArns).toEqual([undefined, undefined, undefined]);
    expect(ecsTaskRoles.map(([id]) => id)).toEqual([expect.stringMatching(/^JobsExecutionRole/)]);
    for (const [, p] of taskDefinitions) {
      expect(p.ExecutionRoleArn).toEqual({ 'Fn::GetAtt': [ecsTaskRoles[0]?.[0], 'Arn'] });
    }
  });

  it('lets the execution role pull the job images and write job logs, nothing else', () => {
    // Arrange
    const statements = statementsOf('JobsExecutionRole');

    // Act
    const actions = new Set(statements.flatMap(actionsOf));

    // Assert
    expect([...actions].sort()).toEqual([
      'ecr:BatchCheckLayerAvailability',
      'ecr:BatchGetImage',
      'ecr:GetAuthorizationToken',
      'ecr:GetDownloadUrlForLayer',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
  });

  it('has cdk deploy build the three runtime images, pulled from the asset repository only, and owns no image repository', () => {
    // Arrange
    const pulls = statementsOf('JobsExecutionRole').filter((s) => actionsOf(s).includes('ecr:BatchGetImage'));

    // Act
    const built = Object.keys(stack.jobs.imageAssets).sort();

    // Assert
    expect(built).toEqual(['bash', 'node', 'python']);
    expect(pulls).toHaveLength(1);
    expect(JSON.stringify(pulls[0]?.Resource)).toContain('container-assets');
    // Nothing retained or named holds the images, so a deploy after a destroy starts clean.
    template.resourceCountIs('AWS::ECR::Repository', 0);
    expect(Object.keys(template.findOutputs('*')).filter((k) => k.startsWith('ImageRepository'))).toEqual([]);
  });

  it('gives no resource a fixed name, so a deploy after a destroy never meets a name left behind', () => {
    // Arrange
    // The property that sets each type's account-wide physical name; retained resources keep theirs after a destroy.
    const nameOf: Record<string, string> = {
      'AWS::DynamoDB::Table': 'TableName',
      'AWS::S3::Bucket': 'BucketName',
      'AWS::SQS::Queue': 'QueueName',
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::Logs::LogGroup': 'LogGroupName',
      'AWS::ECR::Repository': 'RepositoryName',
      'AWS::KMS::Alias': 'AliasName',
      'AWS::ECS::Cluster': 'ClusterName',
      'AWS::IAM::Role': 'RoleName',
      'AWS::CloudWatch::Dashboard': 'DashboardName',
      'AWS::CloudWatch::Alarm': 'AlarmName',
      'AWS::Events::Rule': 'Name',
    };

    // Act
    const named = Object.entries(nameOf).flatMap(([type, prop]) =>
      resourcesOfType(template, type)
        .filter(([, p]) => typeof p[prop] === 'string')
        .map(([id]) => id),
    );

    // Assert
    expect(named).toEqual([]);
  });

  it('runs job tasks in isolated subnets behind a security group with no inbound and HTTPS-only outbound', () => {
    // Arrange
    const groups = resourcesOfType(template, 'AWS::EC2::SecurityGroup');

    // Act
    const taskGroup = groups.find(([id]) => id.startsWith('JobsNetworkTaskSecurityGroup'))?.[1];

    // Assert
    expect(taskGroup?.SecurityGroupIngress).toBeUndefined();
    expect(taskGroup?.SecurityGroupEgress).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })]);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 4);
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
  });
});

describe('CroniumStack outputs', () => {
  it('outputs the REST URL, WebSocket URL, table name and queue URL', () => {
    // Arrange / Act
    const outputs = Object.keys(template.findOutputs('*'));

    // Assert
    expect(outputs).toEqual(expect.arrayContaining(['RestApiUrl', 'WebSocketUrl', 'TableName', 'QueueUrl']));
  });
});

describe('CroniumStack checks', () => {
  it('passes cdk-nag AwsSolutionsChecks with no unacknowledged error or warning', () => {
    // Arrange
    const checks = new AwsSolutionsChecks(undefined, { verbose: true });

    // Act
    const report = checks.validateScope(stack);

    // Assert
    expect(
      report.violations.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('synthesizes without CDK errors, its only warnings that the default image bases are tags', () => {
    // Arrange
    const annotations = Annotations.fromStack(stack);

    // Act
    const problems = [...annotations.findError('*', Match.anyValue()), ...annotations.findWarning('*', Match.anyValue())];
    const unpinned = (p: (typeof problems)[number]) => String(p.entry.data).includes('[ack: cronium:imageBaseNotPinned]');

    // Assert
    expect(problems.filter((p) => !unpinned(p)).map((p) => `${p.id}: ${JSON.stringify(p.entry.data)}`)).toEqual([]);
    // No base is given here, so each image builds FROM its Dockerfile's tag: `npm run pin-bases` pins them.
    expect(problems.filter(unpinned).map((p) => p.id)).toEqual([
      '/Cronium/Jobs/BashImage',
      '/Cronium/Jobs/PythonImage',
      '/Cronium/Jobs/NodeImage',
    ]);
  });

  it('rejects a non-positive job concurrency', () => {
    // Arrange
    const app = testApp();

    // Act
    const error = thrownBy(() => new CroniumStack(app, 'Bad', { maxConcurrentJobs: 0 }));

    // Assert
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).conflicts).toEqual([expect.stringContaining('maxConcurrentJobs')]);
  });
});

describe('CroniumStack ssh jobs', () => {
  it('runs the runner function in the private subnets with egress, behind a group with no inbound, with ENI permissions, and allows ssh targets', () => {
    // Arrange
    const runner = croniumFunctions().find(([id]) => id.startsWith('JobRunnerFunction'))![1];
    const vpcConfig = runner.VpcConfig as { SubnetIds: unknown[]; SecurityGroupIds: Array<{ 'Fn::GetAtt': [string, string] }> };
    const privateSubnets = resourcesOfType(template, 'AWS::EC2::Subnet')
      .filter(([id]) => id.includes('private'))
      .map(([id]) => ({ Ref: id }));
    const [groupId] = vpcConfig.SecurityGroupIds[0]!['Fn::GetAtt'];
    const group = resourcesOfType(template, 'AWS::EC2::SecurityGroup').find(([id]) => id === groupId)![1];
    const roles = resourcesOfType(template, 'AWS::IAM::Role').filter(([id]) => id.startsWith('JobRunnerFunction'));

    // Assert
    expect(vpcConfig.SubnetIds).toEqual(privateSubnets);
    expect(privateSubnets).toHaveLength(2);
    expect(group.SecurityGroupIngress).toBeUndefined();
    expect(group.SecurityGroupEgress).toEqual([expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' })]);
    expect(JSON.stringify(roles)).toContain('AWSLambdaVPCAccessExecutionRole');
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    expect(functionEnv('RestFunction')['CRONIUM_SSH_TARGETS']).toBeUndefined();
  });

  it('leaves out the NAT gateway and the runner VPC placement with ssh false, and refuses ssh targets', () => {
    // Arrange
    const noSsh = Template.fromStack(new CroniumStack(testApp(), 'NoSsh', { ssh: false }));
    const fns = resourcesOfType(noSsh, 'AWS::Lambda::Function').filter(([id]) => !id.startsWith('CustomVpcRestrictDefaultSG'));

    // Assert
    noSsh.resourceCountIs('AWS::EC2::NatGateway', 0);
    expect(fns.filter(([, fn]) => fn.VpcConfig !== undefined)).toEqual([]);
    for (const [, fn] of fns.filter(([id]) => /^(Rest|Dispatcher|JobRunner)Function/.test(id))) {
      expect((fn.Environment as { Variables: Record<string, unknown> }).Variables['CRONIUM_SSH_TARGETS']).toBe('off');
    }
    expect(JSON.stringify(resourcesOfType(noSsh, 'AWS::IAM::Role'))).not.toContain('AWSLambdaVPCAccessExecutionRole');
  });

  it('lets the REST function invoke exactly the runner function, for server tests, and not with ssh false', () => {
    // Arrange
    const noSsh = Template.fromStack(new CroniumStack(testApp(), 'NoSsh', { ssh: false }));
    const invokesOf = (t: Template) =>
      resourcesOfType(t, 'AWS::IAM::Policy')
        .filter(([id]) => id.startsWith('RestFunctionRole'))
        .flatMap(([, p]) => (p.PolicyDocument as { Statement: Statement[] }).Statement)
        .filter((s) => actionsOf(s).some((a) => a.startsWith('lambda:')));
    const noSshRest = resourcesOfType(noSsh, 'AWS::Lambda::Function').find(([id]) => id.startsWith('RestFunction'))![1];

    // Assert
    expect(invokesOf(template)).toEqual([
      {
        Action: 'lambda:InvokeFunction',
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^JobRunnerFunction/), 'Arn'] },
      },
    ]);
    expect(invokesOf(noSsh)).toEqual([]);
    expect((noSshRest.Environment as { Variables: Record<string, unknown> }).Variables['CRONIUM_RUNNER_FUNCTION']).toBeUndefined();
  });
});
