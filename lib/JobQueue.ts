import { Duration } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { throwIfConflicts } from './InvalidPropsError';

/** AWS recommends a visibility timeout of at least six times the consuming function's timeout. */
export const VISIBILITY_TO_CONSUMER_TIMEOUT = 6;

/** Props of {@link JobQueue}. */
export interface JobQueueProps {
  /**
   * Timeout of the function that consumes the queue (the dispatcher).
   * @default Duration.seconds(60)
   */
  readonly consumerTimeout?: Duration;
  /**
   * How long a received message stays hidden; at least 6× `consumerTimeout`, at most 12 hours.
   * @default 6 × consumerTimeout
   */
  readonly visibilityTimeout?: Duration;
  /**
   * Receives before a message moves to the dead-letter queue (1–1000).
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * How long the queue keeps a message (1 minute – 14 days).
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;
  /**
   * How long the dead-letter queue keeps a message; longer than `retentionPeriod`, because SQS
   * counts it from the original enqueue time.
   * @default Duration.days(14)
   */
  readonly deadLetterRetentionPeriod?: Duration;
  /**
   * Customer managed key for both queues.
   * @default SQS managed server-side encryption (SSE-SQS)
   */
  readonly encryptionKey?: kms.IKey;
}

/** The work queue and its dead-letter queue: encrypted, TLS-only. */
export class JobQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: JobQueueProps = {}) {
    super(scope, id);
    const consumerTimeout = props.consumerTimeout ?? Duration.seconds(60);
    const minVisibility = consumerTimeout.toSeconds() * VISIBILITY_TO_CONSUMER_TIMEOUT;
    const visibilityTimeout = props.visibilityTimeout ?? Duration.seconds(minVisibility);
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    const retentionPeriod = props.retentionPeriod ?? Duration.days(4);
    const deadLetterRetentionPeriod = props.deadLetterRetentionPeriod ?? Duration.days(14);

    const conflicts: string[] = [];
    if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1 || maxReceiveCount > 1000) {
      conflicts.push(`maxReceiveCount must be an integer from 1 to 1000, got ${maxReceiveCount}`);
    }
    if (visibilityTimeout.toSeconds() < minVisibility) {
      conflicts.push(
        `visibilityTimeout (${visibilityTimeout.toSeconds()}s) must be at least ${VISIBILITY_TO_CONSUMER_TIMEOUT}× ` +
          `consumerTimeout (${minVisibility}s)`,
      );
    }
    if (visibilityTimeout.toSeconds() > Duration.hours(12).toSeconds()) {
      conflicts.push(`visibilityTimeout (${visibilityTimeout.toSeconds()}s) must be at most 12 hours`);
    }
    for (const [name, d] of [
      ['retentionPeriod', retentionPeriod],
      ['deadLetterRetentionPeriod', deadLetterRetentionPeriod],
    ] as const) {
      if (d.toSeconds() < 60 || d.toSeconds() > Duration.days(14).toSeconds()) {
        conflicts.push(`${name} must be from 1 minute to 14 days`);
      }
    }
    if (deadLetterRetentionPeriod.toSeconds() <= retentionPeriod.toSeconds()) {
      conflicts.push(
        'deadLetterRetentionPeriod must be longer than retentionPeriod: SQS counts it from the original ' +
          'enqueue time, so dead letters would expire before anyone sees them',
      );
    }
    throwIfConflicts('JobQueue', conflicts);

    const encryption = props.encryptionKey
      ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey }
      : { encryption: sqs.QueueEncryption.SQS_MANAGED };
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...encryption,
      enforceSSL: true,
      retentionPeriod: deadLetterRetentionPeriod,
      // Its consumer (Reaper's dead-letter function) runs at most 10 s: six times that, as for the queue.
      visibilityTimeout: Duration.seconds(60),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...encryption,
      enforceSSL: true,
      visibilityTimeout,
      retentionPeriod,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
  }

  /**
   * Lets `grantee` send job messages: SendMessage only (the queue URL comes from the environment, so
   * no GetQueueUrl or GetQueueAttributes), and the queue key's encrypt when the queue has its own key.
   */
  grantSend(grantee: iam.IGrantable): void {
    this.queue.grant(grantee, 'sqs:SendMessage');
    this.queue.encryptionMasterKey?.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
  }
}
