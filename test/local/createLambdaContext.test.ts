import { describe, expect, it } from 'vitest';
import { createLambdaContext } from '../../lambdas/local/createLambdaContext';

const context = (functionName: string) =>
  createLambdaContext({ functionName, region: 'local', accountId: '000000000000', timeoutMs: 1000 });

describe('createLambdaContext', () => {
  it('keeps one log stream per function across invocations, as a warm execution environment does', () => {
    const [a, b, other] = [context('cronium-local-rest'), context('cronium-local-rest'), context('cronium-local-rest-authorizer')];

    expect(a.logStreamName).toBe(b.logStreamName);
    expect(a.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(other.logStreamName).not.toBe(a.logStreamName);
    expect(a.awsRequestId).not.toBe(b.awsRequestId);
  });
});
