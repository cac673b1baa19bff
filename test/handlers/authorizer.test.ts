import { describe, expect, it } from 'vitest';
import { createControlPlane } from '../../lambdas/core';
import { createAuthorizerHandler, presentedKey } from '../../lambdas/handlers/authorizer';
import { createTestDeps } from '../helpers/memory/createTestDeps';
import { authorizerEvent } from './fixtures';

const setup = async () => {
  const cp = createControlPlane(createTestDeps());
  const { key } = await cp.auth.issue('acme', 'user');
  return { handler: createAuthorizerHandler(cp), key };
};

describe('the authorizer', () => {
  it('allows a known bearer key with the tenant and role as context, for the whole stage', async () => {
    const { handler, key } = await setup();

    const result = await handler(authorizerEvent({ header: `Bearer ${key}` }));

    expect(result.principalId).toBe('acme');
    expect(result.context).toEqual({ tenant: 'acme', role: 'user' });
    expect(result.policyDocument.Statement[0]).toMatchObject({
      Effect: 'Allow',
      Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*',
    });
  });

  it('accepts the key as ?token= for WebSocket handshakes', async () => {
    const { handler, key } = await setup();

    expect((await handler(authorizerEvent({ token: key, connect: true }))).context?.['tenant']).toBe('acme');
  });

  it('ignores ?token= on the REST API, where only the Authorization header counts', async () => {
    const { handler, key } = await setup();

    await expect(handler(authorizerEvent({ token: key }))).rejects.toThrow(/^Unauthorized$/);
    await expect(handler(authorizerEvent({ header: 'x', token: key }))).rejects.toThrow(/^Unauthorized$/);
  });

  it('refuses two Authorization headers, whichever of them holds a good key', async () => {
    const { handler, key } = await setup();

    await expect(handler(authorizerEvent({ headers: ['Bearer crn_nope', `Bearer ${key}`] }))).rejects.toThrow(/^Unauthorized$/);
    await expect(handler(authorizerEvent({ headers: [`Bearer ${key}`, `Bearer ${key}`] }))).rejects.toThrow(/^Unauthorized$/);
  });

  it('refuses a handshake whose credentials disagree: two tokens, or a header and a token that differ', async () => {
    const { handler, key } = await setup();

    await expect(handler(authorizerEvent({ tokens: [key, 'crn_nope'], connect: true }))).rejects.toThrow(/^Unauthorized$/);
    await expect(handler(authorizerEvent({ header: 'Bearer crn_nope', token: key, connect: true }))).rejects.toThrow(/^Unauthorized$/);
    expect((await handler(authorizerEvent({ header: `Bearer ${key}`, token: key, connect: true }))).principalId).toBe('acme');
  });

  it('tells the two header casings of one repeated header apart from a single header', () => {
    const event = {
      headers: { authorization: 'Bearer b' },
      multiValueHeaders: { Authorization: ['Bearer a'], authorization: ['Bearer b'] },
    };

    expect(presentedKey(event)).toBeUndefined();
  });

  it('answers Unauthorized, as API Gateway expects, for a missing or unknown key', async () => {
    const { handler } = await setup();

    await expect(handler(authorizerEvent({}))).rejects.toThrow(/^Unauthorized$/);
    await expect(handler(authorizerEvent({ header: 'Bearer crn_unknown' }))).rejects.toThrow(/^Unauthorized$/);
  });

  it('reads the Authorization header whatever its case, and only the Bearer scheme', () => {
    expect(presentedKey({ headers: { authorization: 'bearer abc' }, queryStringParameters: null })).toBe('abc');
    expect(presentedKey({ headers: { Authorization: 'Basic abc' }, queryStringParameters: null })).toBeUndefined();
  });
});
