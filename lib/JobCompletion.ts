import { Duration, Stack } from 'aws-cdk-lib';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as logDestinations from 'aws-cdk-lib/aws-logs-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeNag } from './acknowledgeNag';
import { CroniumFunction } from './CroniumFunction';
import { throwIfConflicts } from './InvalidPropsError';

/** Props of {@link JobCompletion}. */
export interface JobCompletionProps {
  /** The cluster the job tasks run in: only its tasks' STOPPED events are caught. */
  readonly cluster: ecs.ICluster;
  /** The awslogs group of the job tasks. */
  readonly jobLogGroup: logs.ILogGroup;
  /**
   * Environment of both functions (the composition root's variables); `CRONIUM_JOB_LOG_GROUP` is added.
   * @default none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * How often EventBridge retries delivering a STOPPED event to the completion function (0–185).
   * @default 8
   */
  readonly retryAttempts?: number;
  /**
   * Run time of one invocation of either function; the completion drain reads the whole stream.
   * @default Duration.seconds(120)
   */
  readonly timeout?: Duration;
}

/**
 * How a Fargate job ends and how its output is stored (docs/extending.md):
 *
 * - an EventBridge rule on `aws.ecs` / `ECS Task State Change` with `lastStatus: STOPPED` for this
 *   cluster feeds the completion function (lambdas/handlers/ecsTaskStopped.ts), with retries and a
 *   dead-letter queue on the target;
 * - a subscription filter on the job log group feeds the log-forwarder function
 *   (lambdas/handlers/jobLogs.ts); batches that fail all of Lambda's asynchronous retries go to the
 *   same dead-letter queue.
 *
 * Each function gets only what it calls here: ecs:DescribeTasks on this cluster's tasks (task → job
 * through the tags) for both, logs:FilterLogEvents on the job log group (the drain) and the S3 read for
 * the completion function. The stack adds the table, the secrets key and the WebSocket pushes.
 */
export class JobCompletion extends Construct {
  public readonly completion: CroniumFunction;
  public readonly logForwarder: CroniumFunction;
  public readonly rule: events.Rule;
  public readonly subscription: logs.SubscriptionFilter;
  /** STOPPED events and log batches that could not be handled after every retry. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: JobCompletionProps) {
    super(scope, id);
    const retryAttempts = props.retryAttempts ?? 8;
    const timeout = props.timeout ?? Duration.seconds(120);
    throwIfConflicts(
      'JobCompletion',
      !Number.isInteger(retryAttempts) || retryAttempts < 0 || retryAttempts > 185
        ? [`retryAttempts must be an integer from 0 to 185, got ${retryAttempts}`]
        : [],
    );
    const environment = { ...props.environment, CRONIUM_JOB_LOG_GROUP: props.jobLogGroup.logGroupName };

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeNag(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue of the completion rule and the log forwarder.',
    );

    this.completion = new CroniumFunction(this, 'CompletionFunction', {
      entry: 'lambdas/handlers/ecsTaskStopped.ts',
      description: 'Cronium: ends a job when its ECS task stopped, after storing its last log lines',
      timeout,
      environment,
    });
    this.logForwarder = new CroniumFunction(this, 'LogForwarderFunction', {
      entry: 'lambdas/handlers/jobLogs.ts',
      description: 'Cronium: stores and pushes the log lines of job tasks (CloudWatch Logs subscription)',
      timeout,
      environment,
    });

    this.rule = new events.Rule(this, 'TaskStopped', {
      description: 'Cronium job tasks that stopped',
      eventPattern: {
        source: ['aws.ecs'],
        detailType: ['ECS Task State Change'],
        detail: { lastStatus: ['STOPPED'], clusterArn: [props.cluster.clusterArn] },
      },
      targets: [
        new targets.LambdaFunction(this.completion.fn, {
          retryAttempts,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: this.deadLetterQueue,
        }),
      ],
    });

    this.logForwarder.fn.configureAsyncInvoke({ onFailure: new destinations.SqsDestination(this.deadLetterQueue) });
    this.subscription = new logs.SubscriptionFilter(this, 'JobLogsSubscription', {
      logGroup: props.jobLogGroup,
      destination: new logDestinations.LambdaDestination(this.logForwarder.fn),
      filterPattern: logs.FilterPattern.allEvents(),
    });

    const tasksArn = Stack.of(this).formatArn({ service: 'ecs', resource: 'task', resourceName: `${props.cluster.clusterName}/*` });
    for (const fn of [this.completion, this.logForwarder]) {
      fn.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeTasks'], resources: [tasksArn] }));
      acknowledgeNag(
        fn,
        'AwsSolutions-IAM5',
        'Task ids exist only once RunTask returns: DescribeTasks (reading a task’s job tags) covers the tasks of the one job cluster.',
        [`Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/${clusterNameToken(props.cluster)}/*`],
      );
    }
    props.jobLogGroup.grant(this.completion, 'logs:FilterLogEvents');
  }
}

/** How cdk-nag writes the cluster name in a finding: a reference to the cluster resource, or the literal name. */
const clusterNameToken = (cluster: ecs.ICluster): string => {
  const child = cluster.node.defaultChild;
  return child ? `<${Stack.of(cluster).getLogicalId(child as ecs.CfnCluster)}>` : cluster.clusterName;
};
