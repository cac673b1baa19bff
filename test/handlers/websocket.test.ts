import { describe, expect, it } from 'vitest';
import { createControlPlane } from '../../lambdas/core';
import type { WebSocketEvent } from '../../lambdas/handlers/websocket';
import { createWebSocketHandler } from '../../lambdas/handlers/websocket';
import { createTestDeps } from '../helpers/memory/createTestDeps';

const wsEvent = (routeKey: string, o: { body?: string; tenant?: string } = {}) =>
  ({
    requestContext: {
      routeKey,
      connectionId: 'conn-1',
      ...(o.tenant ? { authorizer: { tenant: o.tenant, role: 'user' } } : {}),
    },
    body: o.body,
    isBase64Encoded: false,
  }) as unknown as WebSocketEvent;

const setup = () => {
  const deps = createTestDeps();
  const cp = createControlPlane(deps);
  return { deps, cp, handler: createWebSocketHandler(cp, deps.broadcaster) };
};

describe('the WebSocket handler', () => {
  it('registers a connection under the authorizer tenant, then subscribes it to that tenant’s job', async () => {
    const { cp, deps, handler } = setup();
    const job = await cp.jobs.submit({ tenant: 'acme', role: 'user' }, { runtime: 'bash', script: 'true' });

    const connected = await handler(wsEvent('$connect', { tenant: 'acme' }));
    await handler(wsEvent('$default', { body: JSON.stringify({ action: 'subscribe', jobId: job.id }) }));

    expect(connected.statusCode).toBe(200);
    expect(deps.broadcaster.statusesFor('conn-1').map((s) => s.status)).toEqual(['queued']);
  });

  it('refuses a $connect without an authorizer context', async () => {
    const { handler } = setup();

    expect((await handler(wsEvent('$connect'))).statusCode).toBe(401);
  });

  it('answers a malformed or incomplete message with an error naming the field', async () => {
    const { deps, handler } = setup();
    await handler(wsEvent('$connect', { tenant: 'acme' }));

    await handler(wsEvent('$default', { body: '{oops' }));
    await handler(wsEvent('$default', { body: JSON.stringify({ action: 'subscribe' }) }));

    const errors = (deps.broadcaster.messagesFor('conn-1') as { type: string }[]).filter((m) => m.type === 'error');
    expect(errors).toEqual([
      { type: 'error', code: 'invalid_input', message: expect.any(String) },
      { type: 'error', code: 'invalid_input', message: expect.stringMatching(/^jobId/) },
    ]);
  });

  it.each([
    ['a job id past 128 characters', { jobId: 'x'.repeat(5000) }, /^jobId: must be 1 to 128/],
    ['a job id with characters no id has', { jobId: '%FF/../x' }, /^jobId: must be 1 to 128/],
    ['an afterSeq past the largest safe integer', { jobId: 'abc', afterSeq: 1e21 }, /^afterSeq/],
    ['a fractional afterSeq', { jobId: 'abc', afterSeq: 1.5 }, /^afterSeq/],
    ['a negative afterSeq', { jobId: 'abc', afterSeq: -1 }, /^afterSeq/],
  ])('refuses a subscribe with %s before any store sees it', async (_what, fields, message) => {
    const { deps, handler } = setup();
    await handler(wsEvent('$connect', { tenant: 'acme' }));

    await handler(wsEvent('$default', { body: JSON.stringify({ action: 'subscribe', ...fields }) }));

    expect(deps.broadcaster.messagesFor('conn-1')).toEqual([
      { type: 'error', code: 'invalid_input', message: expect.stringMatching(message) },
    ]);
  });

  it('forgets the connection on $disconnect, so a later subscribe is refused', async () => {
    const { cp, deps, handler } = setup();
    const job = await cp.jobs.submit({ tenant: 'acme', role: 'user' }, { runtime: 'bash', script: 'true' });
    await handler(wsEvent('$connect', { tenant: 'acme' }));

    await handler(wsEvent('$disconnect'));
    await handler(wsEvent('$default', { body: JSON.stringify({ action: 'subscribe', jobId: job.id }) }));

    const [error] = deps.broadcaster.messagesFor('conn-1');
    expect(error).toMatchObject({ type: 'error', code: 'unauthorized' });
  });
});
