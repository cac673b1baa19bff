import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { InvalidPropsError, JobCompletion, type JobCompletionProps } from '../../lib';
import { resourcesOfType, testStack, thrownBy } from './fixtures';

const synth = (props: Partial<JobCompletionProps> = {}) => {
  const stack = testStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, restrictDefaultSecurityGroup: false });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const jobLogGroup = new logs.LogGroup(stack, 'JobLogs');
  const construct = new JobCompletion(stack, 'Completion', { cluster, jobLogGroup, ...props });
  return { stack, construct, template: Template.fromStack(stack) };
};

/** Every action a role's inline policies allow, for the role of a function. */
const actionsOf = (template: Template, roleLogicalIdPrefix: string): string[] =>
  resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, p]) => JSON.stringify(p.Roles).includes(roleLogicalIdPrefix))
    .flatMap(([, p]) => (p.PolicyDocument as { Statement: { Action: string | string[] }[] }).Statement.flatMap((s) => [s.Action].flat()));

describe('JobCompletion', () => {
  it('catches STOPPED task state changes of this cluster only, with retries and a dead-letter queue', () => {
    const { template } = synth();
    const [[, rule]] = resourcesOfType(template, 'AWS::Events::Rule') as [[string, Record<string, unknown>]];
    expect(rule.EventPattern).toMatchObject({
      source: ['aws.ecs'],
      'detail-type': ['ECS Task State Change'],
      detail: { lastStatus: ['STOPPED'], clusterArn: [expect.anything()] },
    });
    const [target] = rule.Targets as Record<string, unknown>[];
    expect(target).toMatchObject({ RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 86400 } });
    expect(target!.DeadLetterConfig).toBeDefined();
  });

  it('takes the retry count it is given and refuses one EventBridge does not accept', () => {
    const { template } = synth({ retryAttempts: 2 });
    const [[, rule]] = resourcesOfType(template, 'AWS::Events::Rule') as [[string, Record<string, unknown>]];
    expect((rule.Targets as Record<string, unknown>[])[0]).toMatchObject({ RetryPolicy: { MaximumRetryAttempts: 2 } });
    expect(thrownBy(() => synth({ retryAttempts: 200 }))).toBeInstanceOf(InvalidPropsError);
  });

  it('subscribes the log forwarder to every event of the job log group, failures to the dead-letter queue', () => {
    const { template } = synth();
    template.resourceCountIs('AWS::Logs::SubscriptionFilter', 1);
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', { FilterPattern: '' });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { DestinationConfig: { OnFailure: {} } });
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'logs.amazonaws.com' });
  });

  it('tells both functions the job log group', () => {
    const { template } = synth();
    const fns = resourcesOfType(template, 'AWS::Lambda::Function').filter(([id]) => /Completion(Completion|LogForwarder)/.test(id));
    expect(fns).toHaveLength(2);
    for (const [, fn] of fns) expect(JSON.stringify(fn.Environment)).toContain('CRONIUM_JOB_LOG_GROUP');
  });

  it('grants each function only the calls it makes', () => {
    const { template } = synth();
    const xray = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];
    const logWrite = ['logs:CreateLogStream', 'logs:PutLogEvents'];
    const completion = actionsOf(template, 'CompletionCompletionFunctionRole').filter((a) => !xray.includes(a) && !logWrite.includes(a));
    const forwarder = actionsOf(template, 'CompletionLogForwarderFunctionRole').filter((a) => !xray.includes(a) && !logWrite.includes(a));
    expect(completion.sort()).toEqual(['ecs:DescribeTasks', 'logs:FilterLogEvents']);
    // Lambda sends a batch that failed every retry to the dead-letter queue with the function's role.
    expect(forwarder.sort()).toEqual(['ecs:DescribeTasks', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
  });

  it('passes cdk-nag AwsSolutionsChecks for its own resources', () => {
    const { stack, construct } = synth();
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);
    const ours = report.violations.filter((v) => v.violatingResources.some((r) => (r.constructPath ?? '').includes(construct.node.path)));
    expect(ours.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});
