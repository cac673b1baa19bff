import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { acknowledgeNag } from './acknowledgeNag';
import { CroniumFunction } from './CroniumFunction';
import type { CroniumTable } from './CroniumTable';
import { throwIfConflicts } from './InvalidPropsError';
import type { JobCluster } from './JobCluster';
import type { JobQueue } from './JobQueue';

/** The dead-letter consumer's timeout; JobQueue gives the dead-letter queue six times this as visibility timeout. */
export const DEAD_LETTER_CONSUMER_TIMEOUT = Duration.seconds(10);

/** Props of {@link Reaper}. */
export interface ReaperProps {
  /** The table the jobs live in. */
  readonly table: CroniumTable;
  /** The job queue: the tick and the dead-letter consumer offer jobs on it, the latter consumes its DLQ. */
  readonly queue: JobQueue;
  /** The job cluster whose tasks the tick lists and stops. */
  readonly jobs: JobCluster;
  /**
   * Environment of both functions (the AWS composition root needs all of it).
   * @default none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * How often the tick runs (whole minutes, 1–60).
   * @default Duration.minutes(1)
   */
  readonly tickInterval?: Duration;
}

/**
 * What keeps jobs from staying active forever on AWS: the tick function on an EventBridge schedule
 * (the same handler the local runtime runs on a timer), the consumer of the jobs' dead-letter queue
 * (it ends those jobs `failed`/`dead_lettered`), and an alarm as soon as the dead-letter queue holds
 * a message. Each function gets only the calls its handler makes; table, queue and WebSocket grants
 * that every job-ending function shares are the stack's to give.
 */
export class Reaper extends Construct {
  public readonly tick: CroniumFunction;
  public readonly deadLetters: CroniumFunction;
  public readonly rule: events.Rule;
  /** In alarm while the dead-letter queue holds any message. */
  public readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ReaperProps) {
    super(scope, id);
    const interval = props.tickInterval ?? Duration.minutes(1);
    const minutes = interval.toSeconds() / 60;
    throwIfConflicts(
      'Reaper',
      Number.isInteger(minutes) && minutes >= 1 && minutes <= 60
        ? []
        : [`tickInterval must be whole minutes from 1 to 60, got ${interval.toSeconds()}s`],
    );

    this.tick = new CroniumFunction(this, 'TickFunction', {
      entry: 'lambdas/handlers/tick.ts',
      description: 'Cronium tick: deadlines, lost tasks, lost messages, slots of ended jobs, waiting jobs',
      timeout: Duration.seconds(60),
      environment: props.environment,
    });
    this.rule = new events.Rule(this, 'TickRule', {
      description: 'Cronium tick',
      schedule: events.Schedule.rate(interval),
    });
    // No retry: the next tick does the same work again.
    this.rule.addTarget(new targets.LambdaFunction(this.tick.fn, { retryAttempts: 0 }));
    props.table.grantReadWrite(this.tick);
    props.queue.grantSend(this.tick);
    // The tick lists job tasks (ListTasks, then DescribeTasks with their tags) and stops those past their deadline.
    props.jobs.grantStop(this.tick);
    props.jobs.grantDescribe(this.tick);
    // ListTasks takes no task ARN: it is allowed on "*" for this one cluster only.
    this.tick.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['ecs:ListTasks'],
        resources: ['*'],
        conditions: { ArnEquals: { 'ecs:cluster': props.jobs.cluster.clusterArn } },
      }),
    );
    acknowledgeNag(
      this.tick,
      'AwsSolutions-IAM5',
      'ecs:ListTasks supports no resource-level permission; the ecs:cluster condition limits it to the job cluster.',
      ['Resource::*'],
    );

    this.deadLetters = new CroniumFunction(this, 'DeadLettersFunction', {
      entry: 'lambdas/handlers/deadLetters.ts',
      description: 'Cronium dead letters: ends jobs whose queue message was dead-lettered',
      timeout: DEAD_LETTER_CONSUMER_TIMEOUT,
      environment: props.environment,
    });
    this.deadLetters.fn.addEventSource(
      new SqsEventSource(props.queue.deadLetterQueue, { batchSize: 10, maxConcurrency: 2, reportBatchItemFailures: true }),
    );
    props.table.grantReadWrite(this.deadLetters);
    // Ending a job frees its slot, which offers the next waiting job on the queue.
    props.queue.grantSend(this.deadLetters);

    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: 'Cronium: job messages reached the dead-letter queue (their jobs end failed/dead_lettered)',
      metric: props.queue.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
