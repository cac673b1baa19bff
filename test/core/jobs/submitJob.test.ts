import { describe, expect, it } from 'vitest';
import { callerFactory } from '../../helpers/factories';
import { createHarness, errorOf, keyOf } from '../../helpers/memory/createHarness';

const acme = callerFactory({ tenant: 'acme' });
const globex = callerFactory({ tenant: 'globex' });

describe('submitting a job', () => {
  it('stores the job queued with the operator defaults filled in', async () => {
    // Arrange
    const h = createHarness();

    // Act
    const job = await h.cp.jobs.submit(acme, { runtime: 'python', script: 'print(1)' });

    // Assert
    expect(await h.stored(job)).toEqual(job);
    expect(job).toMatchObject({
      tenant: 'acme',
      status: 'queued',
      version: 1,
      runtime: 'python',
      script: 'print(1)',
      env: {},
      timeoutSeconds: 3600,
      resources: { cpu: 0.5, memoryMb: 512, pids: 128 },
      createdAt: new Date(h.clock.now()).toISOString(),
    });
  });

  it('keeps the limits a caller asks for within the maxima', async () => {
    const h = createHarness();

    const job = await h.submit(acme, { timeoutSeconds: 60, resources: { memoryMb: 1024 }, env: { A: '1' } });

    expect(job).toMatchObject({ timeoutSeconds: 60, env: { A: '1' }, resources: { cpu: 0.5, memoryMb: 1024, pids: 128 } });
  });

  it('offers the job to the dispatcher with one message', async () => {
    const h = createHarness();

    const job = await h.submit(acme);

    expect(h.queue.messages).toEqual([{ key: keyOf(job) }]);
  });

  it('gives every job its own id', async () => {
    const h = createHarness();

    const a = await h.submit(acme);
    const b = await h.submit(acme);

    expect(a.id).not.toBe(b.id);
  });

  it.each([
    ['resources.memoryMb', { resources: { memoryMb: 4097 } }],
    ['resources.cpu', { resources: { cpu: 2.5 } }],
    ['resources.pids', { resources: { pids: 1025 } }],
    ['timeoutSeconds', { timeoutSeconds: 24 * 3600 + 1 }],
    ['timeoutSeconds', { timeoutSeconds: 0 }],
    ['resources.memoryMb', { resources: { memoryMb: Number.NaN } }],
  ])('rejects a limit out of bounds, naming the field %s', async (field, request) => {
    const h = createHarness();

    const err = await errorOf(() => h.cp.jobs.submit(acme, { runtime: 'bash', script: 'true', ...request }));

    expect(err).toMatchObject({ code: 'invalid_input', field });
    expect((err as Error).message).toContain(field);
    expect(h.store.snapshot().jobs).toEqual([]);
    expect(h.queue.messages).toEqual([]);
  });

  it('enforces the maxima the operator configured', async () => {
    const h = createHarness({ config: { maxResources: { cpu: 1, memoryMb: 256, pids: 64 } } });

    const err = await errorOf(() => h.cp.jobs.submit(acme, { runtime: 'bash', script: 'true', resources: { memoryMb: 300 } }));

    expect(err).toMatchObject({ code: 'invalid_input', field: 'resources.memoryMb' });
  });
});

describe('reading jobs', () => {
  it('returns a job to its own tenant', async () => {
    const h = createHarness();
    const job = await h.submit(acme);

    expect(await h.cp.jobs.get(acme, job.id)).toEqual(job);
  });

  it('lists a tenant’s jobs newest first, page by page', async () => {
    const h = createHarness();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await h.submit(acme)).id);
      h.clock.advance(1_000);
    }

    const first = await h.cp.jobs.list(acme, { limit: 3 });
    const second = await h.cp.jobs.list(acme, { limit: 3, cursor: first.nextCursor });

    expect([...first.items, ...second.items].map((j) => j.id)).toEqual([...ids].reverse());
    expect(second.nextCursor).toBeUndefined();
  });

  it('filters the listing by status', async () => {
    const h = createHarness();
    const running = await h.launch(acme);
    const queued = await h.submit(acme);

    const page = await h.cp.jobs.list(acme, { limit: 10, status: 'queued' });

    expect(page.items.map((j) => j.id)).toEqual([queued.id]);
    expect(page.items.map((j) => j.id)).not.toContain(running.id);
  });

  it('rejects a malformed cursor naming the cursor', async () => {
    const h = createHarness();

    const err = await h.cp.jobs.list(acme, { limit: 3, cursor: '%%%' }).catch((e: unknown) => e);

    expect(err).toMatchObject({ code: 'invalid_input', field: 'cursor' });
  });

  it('pages through stored log lines with the seq to continue after', async () => {
    const h = createHarness();
    const job = await h.launch(acme);
    await h.cp.executions.output(
      keyOf(job),
      [1, 2, 3].map((i) => ({ stream: 'stdout', ts: job.createdAt, line: `l${i}` })),
      't3',
    );

    const first = await h.cp.jobs.logs(acme, job.id, 0, 2);
    const second = await h.cp.jobs.logs(acme, job.id, first.nextSeq, 2);
    const third = await h.cp.jobs.logs(acme, job.id, second.nextSeq, 2);

    expect(first.items.map((l) => l.line)).toEqual(['l1', 'l2']);
    expect(second.items.map((l) => l.line)).toEqual(['l3']);
    expect(third).toEqual({ items: [], nextSeq: 3 });
  });
});

describe('tenant isolation', () => {
  it('hides a job from another tenant: get', async () => {
    const h = createHarness();
    const job = await h.submit(acme);

    await expect(h.cp.jobs.get(globex, job.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('hides a job from another tenant: list', async () => {
    const h = createHarness();
    await h.submit(acme);

    expect((await h.cp.jobs.list(globex, { limit: 10 })).items).toEqual([]);
  });

  it('hides a job from another tenant: cancel, leaving it untouched', async () => {
    const h = createHarness();
    const job = await h.submit(acme);

    await expect(h.cp.jobs.cancel(globex, job.id)).rejects.toMatchObject({ code: 'not_found' });
    expect((await h.stored(job)).status).toBe('queued');
  });

  it('hides a job from another tenant: logs', async () => {
    const h = createHarness();
    const job = await h.launch(acme);
    await h.cp.executions.output(keyOf(job), [{ stream: 'stdout', ts: job.createdAt, line: 'secret' }], 't1');

    await expect(h.cp.jobs.logs(globex, job.id, 0, 100)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('reports a job that does not exist as not found', async () => {
    const h = createHarness();

    await expect(h.cp.jobs.get(acme, 'nope')).rejects.toMatchObject({ code: 'not_found' });
  });
});
