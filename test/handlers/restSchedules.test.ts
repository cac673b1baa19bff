import { describe, expect, it } from 'vitest';
import { createControlPlane } from '../../lambdas/core';
import { createRestHandler } from '../../lambdas/handlers/rest';
import { createTestDeps } from '../helpers/memory/createTestDeps';
import { fakeContext, restEvent } from './fixtures';

const setup = async () => {
  const deps = createTestDeps();
  deps.clock.set(Date.parse('2030-03-01T12:00:00Z'));
  const handler = createRestHandler(createControlPlane(deps), deps.logger);
  const call = async (...args: Parameters<typeof restEvent>) => {
    const res = await handler(restEvent(...args), fakeContext);
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
  };
  const event = await call('POST', '/events', { body: { name: 'e', runtime: 'bash', script: 'echo hi' } });
  const eventId = event.body.id as string;
  return { deps, call, eventId };
};

describe('the /schedules routes', () => {
  it('creates a schedule (201) and shows its next five fires in UTC and in its zone', async () => {
    const { call, eventId } = await setup();

    const created = await call('POST', '/schedules', {
      body: { name: 'weekday mornings', target: { eventId }, cron: 'cron(0 9 ? * MON-FRI *)', timezone: 'America/New_York' },
    });
    const shown = await call('GET', `/schedules/${created.body.id}`);

    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      enabled: true,
      catchUp: 'none',
      overlap: 'allow',
      dst: 'skip',
      nextFireAt: '2030-03-01T14:00:00.000Z',
    });
    expect(created.body).not.toHaveProperty('tenant');
    expect(shown.status).toBe(200);
    expect(shown.body.nextFires).toEqual([
      { utc: '2030-03-01T14:00:00.000Z', local: '2030-03-01T09:00:00-05:00' },
      { utc: '2030-03-04T14:00:00.000Z', local: '2030-03-04T09:00:00-05:00' },
      { utc: '2030-03-05T14:00:00.000Z', local: '2030-03-05T09:00:00-05:00' },
      { utc: '2030-03-06T14:00:00.000Z', local: '2030-03-06T09:00:00-05:00' },
      { utc: '2030-03-07T14:00:00.000Z', local: '2030-03-07T09:00:00-05:00' },
    ]);
    expect(shown.body.lastFires).toEqual([]);
  });

  it.each([
    ['cron', { cron: '61 * * * *' }, 'cron: minute field "61": 61 is out of range (minute runs 0-59)'],
    ['cron', { cron: 'cron(0 9 * * MON *)' }, 'cron: day-of-month and day-of-week: the AWS form needs "?" in exactly one of them'],
    ['timezone', { cron: '0 9 * * *', timezone: 'Mars/Olympus' }, 'timezone: "Mars/Olympus" is not an IANA time zone name'],
    ['rate', { rate: 'every 5 minutes' }, 'rate: must be "N minutes", "N hours" or "N days" (N a whole number), e.g. "5 minutes"'],
    ['at', { at: '2020-01-01T00:00:00Z' }, 'at: is in the past'],
    ['at', { cron: '0 9 * * *', at: '2031-01-01T00:00:00Z' }, 'at: give exactly one of cron, at and rate'],
    ['overlap', { cron: '0 9 * * *', overlap: 'sometimes' }, undefined],
    ['target.workflowId', { cron: '0 9 * * *', target: { workflowId: 'w1' } }, 'target.workflowId: workflow w1 not found'],
  ])('answers 400 naming %s', async (field, extra, message) => {
    const { call, eventId } = await setup();
    const res = await call('POST', '/schedules', { body: { name: 's', target: { eventId }, ...extra } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.message).toMatch(new RegExp(`^${field.replace('.', '\\.')}: `));
    if (message) expect(res.body.error.message).toBe(message);
  });

  it('refuses a target event of another tenant as unknown', async () => {
    const { call, eventId } = await setup();
    const res = await call('POST', '/schedules', { tenant: 'globex', body: { name: 's', target: { eventId }, cron: '0 9 * * *' } });
    expect(res).toMatchObject({ status: 400, body: { error: { message: `target.eventId: event ${eventId} not found` } } });
  });

  it('answers 404 for another tenant’s schedule on every route', async () => {
    const { call, eventId } = await setup();
    const { body } = await call('POST', '/schedules', { body: { name: 's', target: { eventId }, cron: '0 9 * * *' } });
    for (const [method, extra] of [
      ['GET', {}],
      ['PATCH', { body: { enabled: false } }],
      ['DELETE', {}],
    ] as const) {
      expect((await call(method, `/schedules/${body.id}`, { tenant: 'globex', ...extra })).status).toBe(404);
    }
    expect((await call('GET', '/schedules', { tenant: 'globex' })).body.items).toEqual([]);
  });

  it('pauses and resumes through PATCH, and deletes', async () => {
    const { call, eventId } = await setup();
    const { body } = await call('POST', '/schedules', { body: { name: 's', target: { eventId }, rate: '1 hour' } });

    const paused = await call('PATCH', `/schedules/${body.id}`, { body: { enabled: false } });
    const resumed = await call('PATCH', `/schedules/${body.id}`, { body: { enabled: true, name: 'hourly' } });
    const listed = await call('GET', '/schedules');
    const deleted = await call('DELETE', `/schedules/${body.id}`);

    expect(paused.body).toMatchObject({ enabled: false });
    expect(paused.body).not.toHaveProperty('nextFireAt');
    expect(resumed.body).toMatchObject({ enabled: true, name: 'hourly', nextFireAt: '2030-03-01T13:00:00.000Z' });
    expect(listed.body.items.map((s: { id: string }) => s.id)).toEqual([body.id]);
    expect(deleted.status).toBe(204);
    expect((await call('GET', `/schedules/${body.id}`)).status).toBe(404);
  });

  it('previews the next fires of a timing without saving (200), the same ones GET shows once saved', async () => {
    const { call, eventId } = await setup();
    const timing = { cron: 'cron(0 9 ? * MON-FRI *)', timezone: 'America/New_York' };

    const preview = await call('POST', '/schedules/preview', { body: timing });
    const listed = await call('GET', '/schedules');
    const created = await call('POST', '/schedules', { body: { name: 's', target: { eventId }, ...timing } });
    const shown = await call('GET', `/schedules/${created.body.id}`);

    expect(preview.status).toBe(200);
    expect(listed.body.items).toEqual([]);
    expect(preview.body).toEqual({ nextFires: shown.body.nextFires });
    expect(preview.body.nextFires[0]).toEqual({ utc: '2030-03-01T14:00:00.000Z', local: '2030-03-01T09:00:00-05:00' });
  });

  it.each([
    [{ cron: '61 * * * *' }, 'cron: minute field "61": 61 is out of range (minute runs 0-59)'],
    [{ cron: '0 9 * * *', timezone: 'Mars/Olympus' }, 'timezone: "Mars/Olympus" is not an IANA time zone name'],
    [{ at: '2020-01-01T00:00:00Z' }, 'at: is in the past'],
    [{ cron: '0 9 * * *', name: 'n' }, 'Unrecognized key: "name"'],
    [{ cron: '0 9 * * *', dst: 'never' }, /^dst: /],
  ])('answers a preview of %j 400 naming the field, as POST /schedules does', async (body, message) => {
    const { call } = await setup();
    const res = await call('POST', '/schedules/preview', { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
    expect(res.body.error.message).toMatch(message);
  });

  it('does not take /schedules/preview for a schedule id', async () => {
    const { call } = await setup();
    const res = await call('GET', '/schedules/preview');
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/schedule/);
  });
});
