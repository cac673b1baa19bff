import { describe, expect, it, vi } from 'vitest';
import { createControlPlane, type ToolActions } from '../../lambdas/core';
import { createRestHandler } from '../../lambdas/handlers/rest';
import { createMemoryToolStore } from '../core/notifications/memoryToolStore';
import { createTestDeps } from '../helpers/memory/createTestDeps';
import { fakeContext, restEvent } from './fixtures';

const rule = { on: ['failed'], action: { action: 'webhook', url: 'https://hooks.example.test/ops' } };

const setup = async () => {
  const actions: ToolActions = { perform: async () => ({ ok: true, summary: 'POST answered 200 OK' }) };
  const toolStore = createMemoryToolStore().store;
  const deps = createTestDeps({ tools: { actions, store: toolStore } });
  const handler = createRestHandler(createControlPlane(deps), deps.logger);
  const call = async (...args: Parameters<typeof restEvent>) => {
    const res = await handler(restEvent(...args), fakeContext);
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
  };
  const event = await call('POST', '/events', { body: { name: 'e', runtime: 'bash', script: 'echo hi' } });
  return { call, eventId: event.body.id as string, deps, toolStore };
};

describe('notify on workflows and schedules over REST', () => {
  it('keeps the rules of a workflow and of a schedule, and PATCH notify: null clears a schedule’s', async () => {
    const { call, eventId } = await setup();

    const wf = await call('POST', '/workflows', { body: { name: 'w', nodes: [{ id: 'a', eventId }], notify: [rule] } });
    const s = await call('POST', '/schedules', { body: { name: 's', target: { eventId }, cron: '0 * * * *', notify: [rule] } });
    const cleared = await call('PATCH', `/schedules/${s.body.id}`, { body: { notify: null } });

    expect(wf.status).toBe(201);
    expect(wf.body.notify).toEqual([rule]);
    expect(s.status).toBe(201);
    expect(s.body.notify).toEqual([rule]);
    expect(cleared.status).toBe(200);
    expect(cleared.body).not.toHaveProperty('notify');
  });

  it.each([
    ['/workflows', { name: 'w', nodes: [{ id: 'a', eventId: 'x' }], notify: [{ on: ['exploded'], action: rule.action }] }, 'notify.0.on.0'],
    ['/schedules', { name: 's', target: { eventId: 'x' }, cron: '0 * * * *', notify: [{ on: ['failed'] }] }, 'notify.0.action'],
  ])('answers 400 naming the field for a bad rule on %s', async (path, body, field) => {
    const { call } = await setup();

    const res = await call('POST', path, { body });

    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(field);
  });

  it('lists a run’s notifications on GET /workflow-runs/{id}', async () => {
    const { call, eventId } = await setup();
    const wf = await call('POST', '/workflows', {
      body: { name: 'w', nodes: [{ id: 'a', eventId }], notify: [{ on: ['cancelled'], action: rule.action }] },
    });
    const run = await call('POST', `/workflows/${wf.body.id}/runs`);

    await call('POST', `/workflow-runs/${run.body.id}/cancel`);

    await vi.waitFor(async () => {
      const shown = await call('GET', `/workflow-runs/${run.body.id}`);
      expect(shown.body.notifications).toEqual([
        { on: 'cancelled', action: 'webhook POST https://hooks.example.test/ops', status: 'sent', attempts: 1, sentAt: expect.any(String) },
      ]);
    });
  });

  it('reads a job once on GET /jobs/{id}, and looks up notifications only for a job with rules', async () => {
    const { call, deps, toolStore } = await setup();
    const plain = await call('POST', '/jobs', { body: { runtime: 'bash', script: 'true' } });
    const notified = await call('POST', '/jobs', { body: { runtime: 'bash', script: 'true', notify: [rule] } });
    const reads = vi.spyOn(deps.store.jobs, 'get');
    const lookups = vi.spyOn(toolStore, 'listNotifications');

    const shownPlain = await call('GET', `/jobs/${plain.body.id}`);
    expect(shownPlain.status).toBe(200);
    expect(shownPlain.body).not.toHaveProperty('notifications');
    expect(reads).toHaveBeenCalledTimes(1);
    expect(lookups).not.toHaveBeenCalled();

    const shownNotified = await call('GET', `/jobs/${notified.body.id}`);
    expect(shownNotified.status).toBe(200);
    expect(reads).toHaveBeenCalledTimes(2);
    expect(lookups).toHaveBeenCalledTimes(1);
  });
});
