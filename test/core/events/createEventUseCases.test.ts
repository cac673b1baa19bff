import { describe, expect, it } from 'vitest';
import type { EventRequest } from '../../../lambdas/core/events/createEventUseCases';
import { callerFactory } from '../../helpers/factories';
import { createHarness, errorOf, keyOf } from '../../helpers/memory/createHarness';

const acme = callerFactory({ tenant: 'acme' });
const globex = callerFactory({ tenant: 'globex' });
const request = (partial: Partial<EventRequest> = {}): EventRequest => ({
  name: 'nightly report',
  runtime: 'python',
  script: 'print("report")',
  ...partial,
});

describe('events', () => {
  it('creates an event with the operator defaults filled in', async () => {
    const h = createHarness();

    const event = await h.cp.events.create(acme, request());

    expect(event).toMatchObject({
      tenant: 'acme',
      name: 'nightly report',
      runtime: 'python',
      script: 'print("report")',
      env: {},
      timeoutSeconds: 3600,
      resources: { cpu: 0.5, memoryMb: 512, pids: 128 },
      createdAt: new Date(h.clock.now()).toISOString(),
      updatedAt: new Date(h.clock.now()).toISOString(),
    });
    expect(await h.cp.events.get(acme, event.id)).toEqual(event);
  });

  it('rejects an event whose limits are out of bounds, naming the field', async () => {
    const h = createHarness();

    const err = await errorOf(() => h.cp.events.create(acme, request({ resources: { cpu: 4 } })));

    expect(err).toMatchObject({ code: 'invalid_input', field: 'resources.cpu' });
    expect((await h.cp.events.list(acme, { limit: 10 })).items).toEqual([]);
  });

  it('lists a tenant’s events newest first, page by page', async () => {
    const h = createHarness();
    const names = ['a', 'b', 'c'];
    for (const name of names) {
      await h.cp.events.create(acme, request({ name }));
      h.clock.advance(1_000);
    }
    await h.cp.events.create(globex, request({ name: 'theirs' }));

    const first = await h.cp.events.list(acme, { limit: 2 });
    const second = await h.cp.events.list(acme, { limit: 2, cursor: first.nextCursor });

    expect([...first.items, ...second.items].map((e) => e.name)).toEqual(['c', 'b', 'a']);
    expect(second.nextCursor).toBeUndefined();
  });

  it('replaces an event’s definition, keeping when it was created', async () => {
    // Arrange
    const h = createHarness();
    const event = await h.cp.events.create(acme, request({ timeoutSeconds: 60 }));
    h.clock.advance(60_000);

    // Act
    const updated = await h.cp.events.update(acme, event.id, request({ name: 'renamed', runtime: 'bash', script: 'echo 2' }));

    // Assert
    expect(updated).toMatchObject({
      id: event.id,
      name: 'renamed',
      runtime: 'bash',
      script: 'echo 2',
      timeoutSeconds: 3600,
      createdAt: event.createdAt,
      updatedAt: new Date(h.clock.now()).toISOString(),
    });
    expect(await h.cp.events.get(acme, event.id)).toEqual(updated);
  });

  it('deletes an event, after which it is not found', async () => {
    const h = createHarness();
    const event = await h.cp.events.create(acme, request());

    await h.cp.events.remove(acme, event.id);

    await expect(h.cp.events.get(acme, event.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.cp.events.remove(acme, event.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('runs an event: a queued job carrying the event id and its definition', async () => {
    // Arrange
    const h = createHarness();
    const event = await h.cp.events.create(acme, request({ env: { MODE: 'full' }, timeoutSeconds: 90, resources: { memoryMb: 1024 } }));

    // Act
    const job = await h.cp.events.run(acme, event.id);

    // Assert
    expect(job).toMatchObject({
      tenant: 'acme',
      eventId: event.id,
      status: 'queued',
      runtime: 'python',
      script: 'print("report")',
      env: { MODE: 'full' },
      timeoutSeconds: 90,
      resources: { cpu: 0.5, memoryMb: 1024, pids: 128 },
    });
    expect(h.queue.messages.map((m) => m.key)).toEqual([keyOf(job)]);
    expect((await h.cp.jobs.list(acme, { limit: 10, eventId: event.id })).items.map((j) => j.id)).toEqual([job.id]);
  });

  it('runs the definition as it is now, after an update', async () => {
    const h = createHarness();
    const event = await h.cp.events.create(acme, request());
    await h.cp.events.update(acme, event.id, request({ script: 'print("v2")' }));

    const job = await h.cp.events.run(acme, event.id);

    expect(job.script).toBe('print("v2")');
  });

  it('hides an event from another tenant', async () => {
    const h = createHarness();
    const event = await h.cp.events.create(acme, request());

    await expect(h.cp.events.get(globex, event.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.cp.events.update(globex, event.id, request())).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.cp.events.remove(globex, event.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(h.cp.events.run(globex, event.id)).rejects.toMatchObject({ code: 'not_found' });
    expect((await h.cp.events.list(globex, { limit: 10 })).items).toEqual([]);
    expect(await h.cp.events.get(acme, event.id)).toEqual(event);
    expect(h.queue.messages).toEqual([]);
  });
});
