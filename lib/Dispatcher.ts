import { Duration } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CroniumFunction } from './CroniumFunction';
import { throwIfConflicts } from './InvalidPropsError';

/** Props of {@link Dispatcher}. */
export interface DispatcherProps {
  /** The job queue the dispatcher consumes. */
  readonly queue: sqs.IQueue;
  /**
   * Environment of the dispatcher function.
   * @default none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Function timeout; the queue's visibility timeout must be at least 6× this (JobQueue checks it).
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
  /**
   * Messages per invocation (1–10; more needs `maxBatchingWindow`).
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * How long SQS gathers messages before invoking.
   * @default none: invoke as soon as messages arrive
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Most concurrent dispatcher invocations the event source starts (2–1000).
   * @default 2
   */
  readonly maxConcurrency?: number;
  /**
   * Retention of the dispatcher's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The dispatcher Lambda and its SQS event source. It reports partial batch failures, so one bad
 * message is retried (and dead-lettered) alone.
 */
export class Dispatcher extends Construct {
  public readonly function: CroniumFunction;
  public readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: DispatcherProps) {
    super(scope, id);
    const batchSize = props.batchSize ?? 10;
    const maxConcurrency = props.maxConcurrency ?? 2;
    const conflicts: string[] = [];
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10000) {
      conflicts.push(`batchSize must be an integer from 1 to 10000, got ${batchSize}`);
    } else if (batchSize > 10 && !props.maxBatchingWindow) {
      conflicts.push('batchSize above 10 needs maxBatchingWindow');
    }
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000) {
      conflicts.push(`maxConcurrency must be an integer from 2 to 1000, got ${maxConcurrency}`);
    }
    throwIfConflicts('Dispatcher', conflicts);

    this.function = new CroniumFunction(this, 'Function', {
      entry: 'lambdas/handlers/dispatcher.ts',
      description: 'Cronium dispatcher: claims queued jobs and launches them',
      timeout: props.timeout ?? Duration.seconds(60),
      environment: props.environment,
      logRetention: props.logRetention,
    });
    this.eventSource = new SqsEventSource(props.queue, {
      batchSize,
      maxBatchingWindow: props.maxBatchingWindow,
      maxConcurrency,
      reportBatchItemFailures: true,
    });
    this.function.fn.addEventSource(this.eventSource);
  }
}
