import { describe, expect, it } from 'vitest';
import { createControlPlane } from '../../lambdas/core';
import { createRestHandler } from '../../lambdas/handlers/rest';
import { createTestDeps } from '../helpers/memory/createTestDeps';
import { fakeContext, restEvent } from './fixtures';

const CONSOLE = 'https://d111111abcdef8.cloudfront.net';

const handlerWith = (o: { corsOrigin?: string }) => {
  const deps = createTestDeps();
  return createRestHandler(createControlPlane(deps), deps.logger, o);
};

describe('the REST handler with a console origin (AWS)', () => {
  it('lets exactly that origin read a success and an error response', async () => {
    // Arrange
    const handler = handlerWith({ corsOrigin: CONSOLE });

    // Act
    const created = await handler(restEvent('POST', '/jobs', { body: { runtime: 'python', script: 'print(1)' } }), fakeContext);
    const refused = await handler(restEvent('POST', '/jobs', { body: { runtime: 'cobol', script: 'x' } }), fakeContext);
    const missing = await handler(restEvent('GET', '/no-such-route'), fakeContext);

    // Assert
    expect(created.statusCode).toBe(202);
    for (const res of [created, refused, missing]) {
      expect(res.headers).toMatchObject({ 'access-control-allow-origin': CONSOLE, vary: 'Origin', 'content-type': 'application/json' });
    }
    expect([refused.statusCode, missing.statusCode]).toEqual([400, 404]);
  });
});

describe('the REST handler without a console origin (one machine: same origin)', () => {
  it('sends no CORS header at all', async () => {
    // Arrange
    const handler = handlerWith({});

    // Act
    const created = await handler(restEvent('POST', '/jobs', { body: { runtime: 'python', script: 'print(1)' } }), fakeContext);
    const refused = await handler(restEvent('POST', '/jobs', { body: { runtime: 'cobol', script: 'x' } }), fakeContext);

    // Assert
    for (const res of [created, refused]) {
      expect(Object.keys(res.headers ?? {}).filter((h) => h.toLowerCase().startsWith('access-control-'))).toEqual([]);
    }
  });
});
