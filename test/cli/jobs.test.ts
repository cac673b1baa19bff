import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../bin/cli';
import { startFakeCronium, type FakeCronium, type FakeCroniumOptions } from './helpers/fakeCronium';
import { runCli } from './helpers/runCli';

let server: FakeCronium | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const job = (n: number, over: Partial<Job> = {}): Job => ({
  id: `seed-${n}`,
  status: 'completed',
  runtime: 'bash',
  exitCode: 0,
  createdAt: `2025-01-0${n}T10:00:00.000Z`,
  durationMs: 1500,
  ...over,
});

const cli = async (opts: FakeCroniumOptions, argv: string[]) => {
  server = await startFakeCronium(opts);
  return runCli(['--url', server.url, '--api-key', server.apiKey, ...argv]);
};

describe('cronium jobs', () => {
  it('follows nextCursor through every page with list --all', async () => {
    // Arrange
    const seedJobs = [1, 2, 3, 4, 5].map((n) => job(n));

    // Act
    const result = await cli({ seedJobs, pageSize: 2 }, ['jobs', 'list', '--all']);

    // Assert
    expect(result.code).toBe(0);
    for (const j of seedJobs) expect(result.stdout).toContain(j.id);
    expect(server?.requestsTo('GET', '/jobs').map((r) => r.query.cursor)).toEqual([undefined, 'c2', 'c4']);
  });

  it('lists one page as a table and hints at --all when more exist', async () => {
    // Arrange
    const seedJobs = [job(1), job(2, { status: 'failed', exitCode: 2, durationMs: 65_000 }), job(3)];

    // Act
    const result = await cli({ seedJobs, pageSize: 2 }, ['jobs', 'list']);

    // Assert
    expect(result.stdout).toBe(
      [
        'ID      STATUS     RUNTIME  EXIT  CREATED               DURATION',
        'seed-1  completed  bash     0     2025-01-01 10:00:00Z  1.5s',
        'seed-2  failed     bash     2     2025-01-02 10:00:00Z  1m05s',
        '',
      ].join('\n'),
    );
    expect(result.stderr).toContain('pass --all');
  });

  it('passes the status, event and limit filters as query parameters', async () => {
    // Act
    await cli({}, ['jobs', 'list', '--status', 'failed', '--event', 'ev-9', '--limit', '10']);

    // Assert
    expect(server?.requestsTo('GET', '/jobs')[0]?.query).toEqual({ status: 'failed', eventId: 'ev-9', limit: '10' });
  });

  it('prints the jobs of every page as one JSON array with --json', async () => {
    // Act
    const result = await cli({ seedJobs: [job(1), job(2), job(3)], pageSize: 2 }, ['jobs', 'list', '--all', '--json']);

    // Assert
    expect((JSON.parse(result.stdout) as Job[]).map((j) => j.id)).toEqual(['seed-1', 'seed-2', 'seed-3']);
  });

  it('shows one job as JSON with --json', async () => {
    // Arrange
    server = await startFakeCronium();
    const { id } = server.addJob({ runtime: 'python' });

    // Act
    const result = await runCli(['--url', server.url, '--api-key', server.apiKey, 'jobs', 'show', id, '--json']);

    // Assert
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id, runtime: 'python', status: 'running' });
  });

  it('shows one job as aligned fields', async () => {
    // Arrange
    server = await startFakeCronium();
    const { id } = server.addJob();

    // Act
    const result = await runCli(['--url', server.url, '--api-key', server.apiKey, 'jobs', 'show', id]);

    // Assert
    expect(result.stdout).toMatch(/^id:\s+job-1\nstatus:\s+running\nruntime:\s+bash\n/);
    expect(result.stdout).toMatch(/resources:\s+cpu 0\.5, memory 512 MiB, pids 128\n$/);
  });

  it('prints the stored log through every page, after --after', async () => {
    // Arrange
    const lines = ['l1', 'l2', 'l3', 'l4', 'l5'].map((line) => ({ stream: 'stdout' as const, line }));
    server = await startFakeCronium({ pageSize: 2, plan: () => ({ lines, final: { status: 'completed', exitCode: 0 } }) });
    const { id } = server.addJob();

    // Act
    const result = await runCli(['--url', server.url, '--api-key', server.apiKey, 'jobs', 'logs', id, '--after', '1']);

    // Assert
    expect(result).toMatchObject({ code: 0, stdout: 'l2\nl3\nl4\nl5\n' });
    expect(server.requestsTo('GET', `/jobs/${id}/logs`).map((r) => r.query.after)).toEqual(['1', '3', '5']);
  });

  it('streams a job to its end with logs --follow and exits 0 whatever the job did', async () => {
    // Arrange
    const lines = [{ stream: 'stdout' as const, line: 'tail me' }];
    server = await startFakeCronium({ plan: () => ({ lines, final: { status: 'failed', exitCode: 4 } }) });
    const { id } = server.addJob();

    // Act
    const result = await runCli(['--url', server.url, '--api-key', server.apiKey, 'jobs', 'logs', id, '--follow']);

    // Assert
    expect(result).toMatchObject({ code: 0, stdout: 'tail me\n' });
  });

  it('stops watching on Ctrl-C with logs --follow without cancelling the job', async () => {
    // Arrange
    server = await startFakeCronium({ plan: () => ({ lines: [], final: { status: 'completed' }, hang: true }) });
    const { id } = server.addJob();

    // Act
    const result = await runCli(['--url', server.url, '--api-key', server.apiKey, 'jobs', 'logs', id, '-f'], {
      onStart: ({ interrupt }) => setTimeout(interrupt, 100),
    });

    // Assert
    expect(result.code).toBe(130);
    expect(server.requestsTo('POST', `/jobs/${id}/cancel`)).toHaveLength(0);
  });

  it('cancels a job', async () => {
    // Arrange
    server = await startFakeCronium({ plan: () => ({ lines: [], final: { status: 'completed' }, hang: true }) });
    const { id } = server.addJob();

    // Act
    const result = await runCli(['--url', server.url, '--api-key', server.apiKey, 'jobs', 'cancel', id]);

    // Assert
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`job ${id} cancel requested (status cancelled)\n`);
    expect(server.requestsTo('POST', `/jobs/${id}/cancel`)).toHaveLength(1);
  });
});
