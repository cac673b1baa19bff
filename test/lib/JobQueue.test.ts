import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { InvalidPropsError, JobQueue } from '../../lib';
import { resourcesOfType, testStack, thrownBy } from './fixtures';

const synthQueues = (props: ConstructorParameters<typeof JobQueue>[2]) => {
  const stack = testStack();
  new JobQueue(stack, 'Jobs', props);
  const queues = resourcesOfType(Template.fromStack(stack), 'AWS::SQS::Queue');
  return {
    main: queues.find(([, p]) => p.RedrivePolicy !== undefined)?.[1] ?? {},
    dlq: queues.find(([, p]) => p.RedrivePolicy === undefined)?.[1] ?? {},
  };
};

describe('JobQueue', () => {
  it('defaults to 6 minutes of visibility, 5 receives, SSE-SQS on both queues', () => {
    // Arrange / Act
    const { main, dlq } = synthQueues({});

    // Assert
    expect(main).toMatchObject({ VisibilityTimeout: 360, SqsManagedSseEnabled: true, MessageRetentionPeriod: 4 * 86400 });
    expect(main.RedrivePolicy).toMatchObject({ maxReceiveCount: 5 });
    expect(dlq).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
  });

  it('derives the visibility timeout from the consumer timeout', () => {
    // Arrange / Act
    const { main } = synthQueues({ consumerTimeout: Duration.seconds(20) });

    // Assert
    expect(main.VisibilityTimeout).toBe(120);
  });

  it('takes a longer visibility timeout as given', () => {
    // Arrange / Act
    const { main } = synthQueues({ visibilityTimeout: Duration.minutes(10) });

    // Assert
    expect(main.VisibilityTimeout).toBe(600);
  });

  it('dead-letters after the given receive count', () => {
    // Arrange / Act
    const { main } = synthQueues({ maxReceiveCount: 3 });

    // Assert
    expect(main.RedrivePolicy).toMatchObject({ maxReceiveCount: 3 });
  });

  it('keeps messages for the given retention periods', () => {
    // Arrange / Act
    const { main, dlq } = synthQueues({ retentionPeriod: Duration.days(1), deadLetterRetentionPeriod: Duration.days(7) });

    // Assert
    expect(main.MessageRetentionPeriod).toBe(86400);
    expect(dlq.MessageRetentionPeriod).toBe(7 * 86400);
  });

  it('encrypts both queues with a customer managed key when given one', () => {
    // Arrange
    const stack = testStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });

    // Act
    new JobQueue(stack, 'Jobs', { encryptionKey: key });

    // Assert
    const queues = resourcesOfType(Template.fromStack(stack), 'AWS::SQS::Queue');
    for (const [, q] of queues) expect(q.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] });
  });

  it('rejects a visibility timeout below six consumer timeouts', () => {
    // Arrange
    const stack = testStack();

    // Act
    const error = thrownBy(
      () => new JobQueue(stack, 'Jobs', { consumerTimeout: Duration.minutes(1), visibilityTimeout: Duration.minutes(5) }),
    );

    // Assert
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).conflicts).toEqual([expect.stringContaining('6×')]);
  });

  it('rejects a dead-letter retention no longer than the queue retention', () => {
    // Arrange
    const stack = testStack();

    // Act
    const error = thrownBy(
      () => new JobQueue(stack, 'Jobs', { retentionPeriod: Duration.days(14), deadLetterRetentionPeriod: Duration.days(14) }),
    );

    // Assert
    expect((error as InvalidPropsError).conflicts).toEqual([expect.stringContaining('deadLetterRetentionPeriod')]);
  });

  it('names every conflict in one error', () => {
    // Arrange
    const stack = testStack();

    // Act
    const error = thrownBy(
      () =>
        new JobQueue(stack, 'Jobs', { maxReceiveCount: 0, visibilityTimeout: Duration.hours(13), consumerTimeout: Duration.seconds(10) }),
    );

    // Assert
    expect((error as InvalidPropsError).conflicts).toEqual([
      expect.stringContaining('maxReceiveCount'),
      expect.stringContaining('at most 12 hours'),
    ]);
    expect((error as Error).message).toContain('maxReceiveCount');
    expect((error as Error).message).toContain('12 hours');
  });
});
