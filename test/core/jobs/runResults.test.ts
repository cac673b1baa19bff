import { describe, expect, it } from 'vitest';
import { callerFactory } from '../../helpers/factories';
import { createHarness, keyOf } from '../../helpers/memory/createHarness';

const acme = callerFactory();
const ts = '2026-01-01T00:00:00.000Z';

describe('what a run produces', () => {
  it('stores output and condition on the job and the variables the script set', async () => {
    const h = createHarness();
    const job = await h.launch(acme);

    await h.cp.executions.exited(keyOf(job), {
      exitCode: 0,
      oomKilled: false,
      timedOut: false,
      outputs: { files: { 'output.json': '[1,2]', 'condition.json': 'false', 'variables.json': '{"seen":7}' } },
    });

    expect(await h.cp.jobs.get(acme, job.id)).toMatchObject({ status: 'completed', output: [1, 2], condition: false });
    expect(await h.cp.variables.list(acme)).toEqual([{ key: 'seen', secret: false, value: 7, updatedAt: expect.any(String) }]);
  });

  it('still ends the job when its results are rejected, and says why', async () => {
    const h = createHarness();
    const job = await h.launch(acme);

    await h.cp.executions.exited(keyOf(job), { exitCode: 0, oomKilled: false, timedOut: false, outputs: { files: {}, overLimit: true } });

    const ended = await h.cp.jobs.get(acme, job.id);
    expect(ended.status).toBe('completed');
    expect(ended.outputError).toMatch(/out\/ held more than/);
  });

  it('keeps a secret a script overwrites secret', async () => {
    const h = createHarness();
    await h.cp.variables.put(acme, 'TOKEN', { value: 'old-secret', secret: true });
    const job = await h.launch(acme);

    await h.cp.executions.exited(keyOf(job), {
      exitCode: 0,
      oomKilled: false,
      timedOut: false,
      outputs: { files: { 'variables.json': '{"TOKEN":"new-secret"}' } },
    });

    expect(await h.cp.variables.list(acme)).toEqual([{ key: 'TOKEN', secret: true, updatedAt: expect.any(String) }]);
  });

  it('ends the job failed with the launcher’s own diagnosis, masking secrets in it', async () => {
    const h = createHarness();
    await h.cp.variables.put(acme, 'TOKEN', { value: 'tok-123456', secret: true });
    const job = await h.launch(acme);

    await h.cp.executions.exited(keyOf(job), {
      exitCode: 1,
      oomKilled: false,
      timedOut: false,
      failure: { code: 'http_error', message: 'GET https://x/?t=tok-123456 answered 404 Not Found' },
    });

    expect((await h.cp.jobs.get(acme, job.id)).error).toEqual({
      code: 'http_error',
      message: 'GET https://x/?t=*** answered 404 Not Found',
    });
  });

  it('masks secret values in stored and streamed lines, whole or inside a line', async () => {
    const h = createHarness();
    await h.cp.variables.put(acme, 'TOKEN', { value: 'tok-123456', secret: true });
    const job = await h.launch(acme);
    await h.connect('c1');
    await h.cp.connections.subscribe('c1', job.id, 0);

    await h.cp.executions.output(
      keyOf(job),
      [
        { stream: 'stdout', ts, line: 'tok-123456' },
        { stream: 'stderr', ts, line: 'Authorization: Bearer tok-123456 (retry)' },
      ],
      't',
    );

    const stored = (await h.store.logs.read(keyOf(job), 0, 10)).map((l) => l.line);
    expect(stored).toEqual(['***', 'Authorization: Bearer *** (retry)']);
    expect(JSON.stringify(h.broadcaster.messagesFor('c1'))).not.toContain('tok-123456');
  });
});
