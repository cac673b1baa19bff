import type { PolicyDocument } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { evaluatePolicy } from '../../../lambdas/local/gateway/evaluatePolicy';

const ARN = 'arn:aws:execute-api:local:000000000000:local/local/GET/jobs/42';
const doc = (...Statement: Record<string, unknown>[]): PolicyDocument =>
  ({ Version: '2012-10-17', Statement }) as unknown as PolicyDocument;

describe('evaluatePolicy', () => {
  it('allows a stage-wide wildcard resource', () => {
    // Arrange
    const policy = doc({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:local:000000000000:local/local/*' });

    // Act / Assert
    expect(evaluatePolicy(policy, ARN)).toBe('allow');
  });

  it('lets an explicit Deny win over an Allow', () => {
    // Arrange
    const policy = doc(
      { Effect: 'Allow', Action: 'execute-api:*', Resource: '*' },
      { Effect: 'Deny', Action: ['execute-api:Invoke'], Resource: ['arn:aws:execute-api:*:*:*/*/GET/jobs/*'] },
    );

    // Act / Assert
    expect(evaluatePolicy(policy, ARN)).toBe('deny');
  });

  it('denies when no statement covers the method', () => {
    // Arrange
    const policy = doc({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*:*:*/*/POST/*' });

    // Act / Assert
    expect(evaluatePolicy(policy, ARN)).toBe('deny');
  });

  it('honours NotResource and matches actions case-insensitively', () => {
    // Arrange
    const policy = doc({ Effect: 'Allow', Action: 'EXECUTE-API:invoke', NotResource: '*/DELETE/*' });

    // Act / Assert
    expect(evaluatePolicy(policy, ARN)).toBe('allow');
  });

  it('ignores statements with a Condition it cannot evaluate', () => {
    // Arrange
    const policy = doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': 'x' } } });

    // Act / Assert
    expect(evaluatePolicy(policy, ARN)).toBe('deny');
  });
});
