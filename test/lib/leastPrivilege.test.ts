import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CroniumStack, PROJECT_ROOT } from '../../lib';
import { resourcesOfType, testApp } from './fixtures';

/**
 * The AWS calls each function's code makes, by the logical id prefix of its Lambda function. Every
 * line names the adapter call that makes it; a grant outside its row fails the test, and so does a
 * row action that no SDK command in lambdas/ issues.
 */
const CodeCalls: Record<string, readonly string[]> = {
  // authorizer.ts -> cp.auth.authenticate -> apiKeyStore.get (GetCommand). Nothing else.
  AuthorizerFunction: ['dynamodb:GetItem'],
  // rest.ts: the stores (Get/Query/Put/Update/DeleteCommand); variables and servers encrypt and
  // decrypt (createKmsCipher); submit enqueues (createSqsJobQueue SendMessage); cancel stops the task
  // (createEcsLauncher StopTask); ending a job pushes its status (createApiGatewayBroadcaster);
  // /ready and /health check the cluster and the queue (ecs and sqs healthCheck.ts); server tests
  // run in the runner function (createRunnerServerAccess InvokeCommand).
  RestFunction: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'kms:Encrypt',
    'kms:Decrypt',
    'sqs:SendMessage',
    'ecs:StopTask',
    'ecs:DescribeClusters',
    'sqs:GetQueueAttributes',
    'lambda:InvokeFunction',
    'execute-api:ManageConnections',
  ],
  // websocket.ts: connections and subscriptions in the store, replays through the management API.
  WebSocketFunction: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'execute-api:ManageConnections',
  ],
  // dispatcher.ts -> cp.dispatch: claims (store), resolves secrets (KMS Decrypt; an http job's
  // script may set a secret variable: Encrypt), stages in/ (createS3Workspace PutObject, and the
  // presigned GET/PUT carry the signer's s3:GetObject/PutObject and the bucket key's
  // GenerateDataKey/Decrypt), RunTask with tags and the execution role (createEcsLauncher), stops a
  // launch the store refused (StopTask), re-enqueues on a full slot (SendMessage), pushes status.
  DispatcherFunction: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'kms:Encrypt',
    'kms:Decrypt',
    'kms:GenerateDataKey',
    's3:PutObject',
    's3:GetObject',
    'ecs:RunTask',
    'ecs:TagResource',
    'iam:PassRole',
    'ecs:StopTask',
    'sqs:SendMessage',
    'lambda:InvokeFunction',
    'execute-api:ManageConnections',
  ],
  // jobRunner.ts -> the http launcher's reports: stores masked lines and the ending (store; masking
  // decrypts), frees the slot and offers a waiting job (SendMessage), pushes lines and status.
  JobRunnerFunction: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    // ssh jobs: prepareExecution decrypts server keys and secrets; a script may set a secret variable.
    'kms:Encrypt',
    'kms:Decrypt',
    'sqs:SendMessage',
    'execute-api:ManageConnections',
  ],
  // tick.ts -> cp.tick: the reconciler lists tasks (createEcsLauncher list: ListTasks, DescribeTasks),
  // stops tasks past their deadline (StopTask), re-offers queued jobs (SendMessage), pushes status.
  ReaperTickFunction: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'ecs:ListTasks',
    'ecs:DescribeTasks',
    'ecs:StopTask',
    'sqs:SendMessage',
    'execute-api:ManageConnections',
  ],
  // deadLetters.ts -> cp.endDeadLettered: ends the job (store), frees its slot and offers the next
  // waiting job (SendMessage), pushes status.
  ReaperDeadLettersFunction: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'sqs:SendMessage',
    'execute-api:ManageConnections',
  ],
  // ecsTaskStopped.ts: task -> job (createTaskJobs DescribeTasks), drains the stream
  // (createJobLogReader FilterLogEvents), reads out/ (createS3Workspace GetObject; the bucket key's
  // Decrypt), ends the job through the recorder (store; masking decrypts; a script's secret variable
  // is encrypted), offers the next waiting job (SendMessage), pushes lines and status.
  JobCompletionCompletionFunction: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'ecs:DescribeTasks',
    'logs:FilterLogEvents',
    's3:GetObject',
    'kms:Encrypt',
    'kms:Decrypt',
    'sqs:SendMessage',
    'execute-api:ManageConnections',
  ],
  // jobLogs.ts: task -> job (DescribeTasks), stores masked lines (store; KMS Decrypt of the
  // tenant's secrets), pushes them.
  JobCompletionLogForwarderFunction: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'ecs:DescribeTasks',
    'kms:Decrypt',
    'execute-api:ManageConnections',
  ],
};

/**
 * Grants the Lambda service uses on the function's behalf, not the code: writing the function's own
 * logs (CroniumFunction's log group), X-Ray tracing, the SQS event source polling its queue
 * (dispatcher: the job queue; dead letters: the DLQ; CDK's SqsEventSource also grants GetQueueUrl),
 * and the log forwarder's and the runner's on-failure destinations (a queue Lambda sends a failed async event to).
 */
const PlatformCalls: Record<string, readonly string[]> = {
  '*': ['logs:CreateLogStream', 'logs:PutLogEvents', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
  DispatcherFunction: [
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:ChangeMessageVisibility',
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
  ],
  ReaperDeadLettersFunction: [
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:ChangeMessageVisibility',
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
  ],
  JobCompletionLogForwarderFunction: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
  JobRunnerFunction: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
};

/** Actions allowed on `*`, because their API takes no resource: X-Ray, and ListTasks (held to the job cluster by a condition). */
const StarAllowed = new Set(['xray:PutTelemetryRecords', 'xray:PutTraceSegments', 'ecs:ListTasks']);

/** The SDK command (or presigned request) of lambdas/ that makes each action. */
const CommandOf: Record<string, string> = {
  'dynamodb:GetItem': 'GetCommand',
  'dynamodb:Query': 'QueryCommand',
  'dynamodb:PutItem': 'PutCommand',
  'dynamodb:UpdateItem': 'UpdateCommand',
  'dynamodb:DeleteItem': 'DeleteCommand',
  'kms:Encrypt': 'EncryptCommand',
  'kms:Decrypt': 'DecryptCommand',
  // SSE-KMS: S3 asks the bucket key for a data key on PutObject and decrypts it on GetObject.
  'kms:GenerateDataKey': 'PutObjectCommand',
  's3:PutObject': 'PutObjectCommand',
  's3:GetObject': 'GetObjectCommand',
  'sqs:SendMessage': 'SendMessageCommand',
  'ecs:RunTask': 'RunTaskCommand',
  // Tags and the execution role go with RunTask (tags: [...], the task definition's role).
  'ecs:TagResource': 'RunTaskCommand',
  'iam:PassRole': 'RunTaskCommand',
  'ecs:StopTask': 'StopTaskCommand',
  'ecs:DescribeTasks': 'DescribeTasksCommand',
  'ecs:DescribeClusters': 'DescribeClustersCommand',
  'sqs:GetQueueAttributes': 'GetQueueAttributesCommand',
  'ecs:ListTasks': 'paginateListTasks',
  'logs:FilterLogEvents': 'FilterLogEventsCommand',
  // createRunnerLauncher hands a job to the runner function; createRunnerServerAccess runs a server test there.
  'lambda:InvokeFunction': 'InvokeCommand',
  'execute-api:ManageConnections': 'PostToConnectionCommand',
};

type Statement = { Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };

let grants: Map<string, Statement[]>;
beforeAll(() => {
  const template = Template.fromStack(new CroniumStack(testApp(), 'Cronium'));
  const policies = resourcesOfType(template, 'AWS::IAM::Policy');
  grants = new Map(
    resourcesOfType(template, 'AWS::Lambda::Function')
      .filter(([id]) => !id.startsWith('CustomVpcRestrictDefaultSG'))
      .map(([id, fn]) => {
        const role = (fn.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
        const statements = policies
          .filter(([, p]) => (p.Roles as Array<{ Ref?: string }>).some((r) => r.Ref === role))
          .flatMap(([, p]) => (p.PolicyDocument as { Statement: Statement[] }).Statement);
        return [id, statements] as const;
      }),
  );
});

const rowOf = (logicalId: string) => Object.keys(CodeCalls).find((prefix) => logicalId.startsWith(prefix));
const actionsOf = (s: Statement) => [s.Action].flat();

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

describe('least privilege of the Lambda functions', () => {
  it('has a row for every function of the stack', () => {
    expect([...grants.keys()].map(rowOf)).not.toContain(undefined);
    expect(new Set([...grants.keys()].map(rowOf))).toEqual(new Set(Object.keys(CodeCalls)));
  });

  it('grants each function only the calls its code makes (and the platform its own)', () => {
    for (const [id, statements] of grants) {
      const row = rowOf(id)!;
      const allowed = new Set([...CodeCalls[row]!, ...PlatformCalls['*']!, ...(PlatformCalls[row] ?? [])]);
      const extra = statements.flatMap(actionsOf).filter((a) => !allowed.has(a));
      expect({ function: row, extra: [...new Set(extra)] }).toEqual({ function: row, extra: [] });
    }
  });

  it('grants each function every call its code makes', () => {
    for (const [id, statements] of grants) {
      const row = rowOf(id)!;
      const granted = new Set(statements.flatMap(actionsOf));
      const missing = CodeCalls[row]!.filter((a) => !granted.has(a));
      expect({ function: row, missing }).toEqual({ function: row, missing: [] });
    }
  });

  it('lists only actions that an SDK command in lambdas/ makes', () => {
    const source = sourceFiles(join(PROJECT_ROOT, 'lambdas'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    for (const action of new Set(Object.values(CodeCalls).flat())) {
      const command = CommandOf[action];
      expect({ action, command }).toEqual({ action, command: expect.any(String) });
      expect({ action, issued: new RegExp(`\\b${command}\\b`).test(source) }).toEqual({ action, issued: true });
    }
  });

  it('allows "*" as a resource only to actions whose API takes no resource', () => {
    for (const [id, statements] of grants) {
      const onStar = statements.filter((s) => [s.Resource].flat().includes('*')).flatMap(actionsOf);
      expect({ function: rowOf(id), onStar: onStar.filter((a) => !StarAllowed.has(a)) }).toEqual({ function: rowOf(id), onStar: [] });
    }
  });

  it('holds ListTasks on "*" to the job cluster by a condition', () => {
    const listTasks = [...grants.values()].flat().filter((s) => actionsOf(s).includes('ecs:ListTasks'));
    expect(listTasks.length).toBeGreaterThan(0);
    for (const s of listTasks) expect(s.Condition).toMatchObject({ ArnEquals: { 'ecs:cluster': expect.anything() } });
  });
});
