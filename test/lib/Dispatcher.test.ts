import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { Dispatcher, InvalidPropsError, JobQueue, type DispatcherProps } from '../../lib';
import { resourcesOfType, testStack, thrownBy } from './fixtures';

const synth = (props: Partial<DispatcherProps> = {}) => {
  const stack = testStack();
  const { queue } = new JobQueue(stack, 'Queue');
  new Dispatcher(stack, 'Dispatcher', { queue, ...props });
  const template = Template.fromStack(stack);
  const [[, mapping]] = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping') as [[string, Record<string, unknown>]];
  const [[, fn]] = resourcesOfType(template, 'AWS::Lambda::Function') as [[string, Record<string, unknown>]];
  return { template, mapping, fn };
};

describe('Dispatcher', () => {
  it('consumes the queue in batches of 10, two at a time, reporting failed items', () => {
    // Arrange / Act
    const { mapping, fn } = synth();

    // Assert
    expect(mapping).toMatchObject({
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    expect(mapping.MaximumBatchingWindowInSeconds).toBeUndefined();
    expect(fn.Timeout).toBe(60);
  });

  it('takes the batch size it is given', () => {
    // Arrange / Act
    const { mapping } = synth({ batchSize: 5 });

    // Assert
    expect(mapping.BatchSize).toBe(5);
  });

  it('gathers messages for the batching window it is given', () => {
    // Arrange / Act
    const { mapping } = synth({ batchSize: 50, maxBatchingWindow: Duration.seconds(2) });

    // Assert
    expect(mapping).toMatchObject({ BatchSize: 50, MaximumBatchingWindowInSeconds: 2 });
  });

  it('caps concurrency at the maximum it is given', () => {
    // Arrange / Act
    const { mapping } = synth({ maxConcurrency: 8 });

    // Assert
    expect(mapping.ScalingConfig).toEqual({ MaximumConcurrency: 8 });
  });

  it('gives the function the timeout and environment it is given', () => {
    // Arrange / Act
    const { fn } = synth({ timeout: Duration.seconds(30), environment: { CRONIUM_MAX_CONCURRENT: '4' } });

    // Assert
    expect(fn.Timeout).toBe(30);
    expect(fn.Environment).toMatchObject({ Variables: { CRONIUM_MAX_CONCURRENT: '4' } });
  });

  it('rejects a batch above 10 without a batching window and a concurrency below 2, in one error', () => {
    // Arrange
    const stack = testStack();
    const { queue } = new JobQueue(stack, 'Queue');

    // Act
    const error = thrownBy(() => new Dispatcher(stack, 'Dispatcher', { queue, batchSize: 20, maxConcurrency: 1 }));

    // Assert
    expect(error).toBeInstanceOf(InvalidPropsError);
    expect((error as InvalidPropsError).conflicts).toEqual([
      expect.stringContaining('maxBatchingWindow'),
      expect.stringContaining('maxConcurrency'),
    ]);
  });
});
