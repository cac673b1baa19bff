import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { CroniumTable, InvalidPropsError, JobCluster, JobQueue, Reaper, type ReaperProps } from '../../lib';
import { resourcesOfType, testStack, thrownBy } from './fixtures';

/** Reaper in a stack of its own with the table, queue and cluster it needs; built once per call. */
const synth = (props: Partial<ReaperProps> = {}) => {
  const stack = testStack();
  const table = new CroniumTable(stack, 'Table');
  const queue = new JobQueue(stack, 'Queue');
  const jobs = new JobCluster(stack, 'Jobs');
  const reaper = new Reaper(stack, 'Reaper', { table, queue, jobs, ...props });
  return { stack, reaper, template: Template.fromStack(stack) };
};

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

/** Every statement of the inline policies attached to the role whose logical id starts with `prefix`. */
const statementsOfRole = (template: Template, prefix: string): Statement[] =>
  resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(prefix)))
    .flatMap(([, p]) => (p.PolicyDocument as { Statement: Statement[] }).Statement);
const actionsOf = (statements: Statement[]) => [...new Set(statements.flatMap((s) => [s.Action].flat()))].sort();

const built = synth();

describe('Reaper', () => {
  it('runs the tick function every minute from an EventBridge rule, without retries', () => {
    // Arrange
    const { template } = built;
    const rule = resourcesOfType(template, 'AWS::Events::Rule')[0]?.[1];

    // Assert
    expect(rule).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    expect((rule?.Targets as { RetryPolicy?: unknown }[])[0]?.RetryPolicy).toEqual({ MaximumRetryAttempts: 0 });
    const tick = resourcesOfType(template, 'AWS::Lambda::Function').find(([id]) => id.startsWith('ReaperTickFunction'));
    expect(tick?.[1].Timeout).toBe(60);
  });

  it('takes a longer tick interval in whole minutes', () => {
    // Act
    const { template } = synth({ tickInterval: Duration.minutes(5) });

    // Assert
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  it('rejects a tick interval that is not whole minutes', () => {
    // Act
    const error = thrownBy(() => synth({ tickInterval: Duration.seconds(30) }));

    // Assert
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).conflicts).toEqual([expect.stringContaining('tickInterval')]);
  });

  it('feeds the dead-letter queue to the dead-letter function, reporting failed items', () => {
    // Arrange
    const { template, stack, reaper } = built;
    const mapping = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')[0]?.[1];

    // Assert
    expect(mapping).toMatchObject({ BatchSize: 10, FunctionResponseTypes: ['ReportBatchItemFailures'] });
    const dlq = stack.resolve((stack.node.findChild('Queue') as JobQueue).deadLetterQueue.queueArn) as unknown;
    expect(mapping?.EventSourceArn).toEqual(dlq);
    expect(stack.resolve(reaper.deadLetters.fn.functionName)).toEqual(mapping?.FunctionName);
  });

  it('alarms as soon as the dead-letter queue holds a message', () => {
    // Arrange
    const { template } = built;
    const alarm = resourcesOfType(template, 'AWS::CloudWatch::Alarm')[0]?.[1];

    // Assert
    expect(alarm).toMatchObject({
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('gives the tick only the calls it makes: the table, sending job messages, listing, reading and stopping job tasks', () => {
    // Arrange
    const actions = actionsOf(statementsOfRole(built.template, 'ReaperTickFunctionRole'));

    // Assert
    expect(actions.filter((a) => !a.startsWith('dynamodb:') && !a.startsWith('logs:') && !a.startsWith('xray:'))).toEqual([
      'ecs:DescribeTasks',
      'ecs:ListTasks',
      'ecs:StopTask',
      'sqs:SendMessage',
    ]);
    expect(actions).not.toContain('ecs:RunTask');
    expect(actions).not.toContain('iam:PassRole');
  });

  it('lets the tick list tasks of the job cluster only', () => {
    // Arrange
    const list = statementsOfRole(built.template, 'ReaperTickFunctionRole').find((s) => [s.Action].flat().includes('ecs:ListTasks'));

    // Assert
    expect(list?.Condition).toMatchObject({ ArnEquals: { 'ecs:cluster': expect.anything() } });
  });

  it('gives the dead-letter function no ECS call, and consumes only the dead-letter queue', () => {
    // Arrange
    const statements = statementsOfRole(built.template, 'ReaperDeadLettersFunctionRole');
    const actions = actionsOf(statements);
    const { stack } = built;
    const queues = stack.node.findChild('Queue') as JobQueue;
    const consumed = statements.filter((s) => [s.Action].flat().includes('sqs:ReceiveMessage'));

    // Assert
    expect(actions.filter((a) => a.startsWith('ecs:'))).toEqual([]);
    expect(consumed.map((s) => s.Resource)).toEqual([stack.resolve(queues.deadLetterQueue.queueArn)]);
  });

  it('passes cdk-nag AwsSolutionsChecks for its own resources', () => {
    // Arrange
    const { stack, reaper } = synth();

    // Act
    const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(stack);

    // Assert
    const ours = report.violations.filter((v) => v.violatingResources.some((r) => r.constructPath?.includes(reaper.node.path)));
    expect(ours.map((v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });
});
