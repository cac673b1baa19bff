import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emptyDir, runCli } from './helpers/runCli';

const summary = (jobs: number, over: object = {}) => ({
  jobs,
  byStatus: { completed: jobs - 1, failed: 1, timeout: 0, cancelled: 0 },
  byErrorCode: { exit_nonzero: 1 },
  successRate: (jobs - 1) / jobs,
  durationMs: { count: jobs, p50: 1200, p95: 65_000, p99: 65_000 },
  queueWaitMs: { count: jobs, p50: 40, p95: 900 },
  ...over,
});

const report = {
  from: '2031-01-01T00:00:00.000Z',
  to: '2031-01-02T00:00:00.000Z',
  total: summary(4),
  byRuntime: { bash: summary(4) },
  byEvent: [{ eventId: 'ev-1', eventName: 'nightly', ...summary(2) }],
  percentileRelativeError: 0.0443,
};

let server: Server | undefined;
const requests: URL[] = [];
afterEach(async () => {
  server?.close();
  server = undefined;
  requests.length = 0;
});

/** A control plane with `/stats` and a download served in `parts` (as the REST handler does on AWS). */
const serve = async (parts: string[]) => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url);
    if (req.headers.authorization !== 'Bearer k') return void res.writeHead(401).end();
    if (url.pathname === '/stats') {
      if (url.searchParams.get('since') === 'bad') {
        res.writeHead(400, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ error: { code: 'invalid_input', message: 'since: must be an ISO 8601 time' } }));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(report));
    }
    if (url.pathname === '/jobs/j1/logs/download') {
      const index = Number(url.searchParams.get('after')) / 10;
      const last = index === parts.length - 1;
      res.writeHead(200, { 'content-type': 'text/plain', ...(last ? {} : { 'x-cronium-next-after': String((index + 1) * 10) }) });
      return void res.end(parts[index]);
    }
    res
      .writeHead(404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: { code: 'not_found', message: 'no such job' } }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

describe('cronium stats', () => {
  it('prints the figures as a table: overall, per runtime, per event, then the error codes', async () => {
    const url = await serve([]);

    const result = await runCli(['--url', url, '--api-key', 'k', 'stats', '--event', 'ev-1', '--until', '2031-01-02T00:00:00Z']);

    expect(result.code).toBe(0);
    expect(requests[0]?.searchParams.get('eventId')).toBe('ev-1');
    expect(requests[0]?.searchParams.get('until')).toBe('2031-01-02T00:00:00Z');
    expect(result.stdout.split('\n')).toEqual([
      'jobs that ended from 2031-01-01 00:00:00Z to 2031-01-02 00:00:00Z',
      '               JOBS  COMPLETED  FAILED  TIMEOUT  CANCELLED  SUCCESS  P50   P95    P99    WAIT P50  WAIT P95',
      'all            4     3          1       0        0          75.0%    1.2s  1m05s  1m05s  40ms      900ms',
      'runtime bash   4     3          1       0        0          75.0%    1.2s  1m05s  1m05s  40ms      900ms',
      'event nightly  2     1          1       0        0          50.0%    1.2s  1m05s  1m05s  40ms      900ms',
      'errors: exit_nonzero 1',
      'durations are run times, waits from submission to first start; percentiles within 4.4%',
      '',
    ]);
  });

  it('turns --since 7d into an ISO time a week back and prints JSON with --json', async () => {
    const url = await serve([]);
    const before = Date.now();

    const result = await runCli(['--url', url, '--api-key', 'k', 'stats', '--since', '7d', '--json']);

    const since = Date.parse(requests[0]!.searchParams.get('since')!);
    expect(Math.abs(before - 7 * 86_400_000 - since)).toBeLessThan(5000);
    expect(JSON.parse(result.stdout)).toEqual(report);
  });

  it('refuses a time it cannot read before asking, and shows the API refusal naming the field', async () => {
    const url = await serve([]);

    const local = await runCli(['--url', url, '--api-key', 'k', 'stats', '--since', 'last tuesday']);

    expect(local.code).not.toBe(0);
    expect(local.stderr).toMatch(/ISO time/);
    expect(requests).toHaveLength(0);
  });
});

describe('cronium jobs logs --download', () => {
  it('saves the whole log to the file, following each part the API says remains', async () => {
    const parts = ['first part\n', 'second "part"\n', 'third part\n'];
    const url = await serve(parts);
    const dir = emptyDir();

    const result = await runCli(['--url', url, '--api-key', 'k', 'jobs', 'logs', 'j1', '--download', 'out.log', '--format', 'ndjson'], {
      cwd: dir,
    });

    expect(result.code).toBe(0);
    expect(await readFile(join(dir, 'out.log'), 'utf8')).toBe(parts.join(''));
    expect(requests.map((r) => [r.searchParams.get('format'), r.searchParams.get('after')])).toEqual([
      ['ndjson', '0'],
      ['ndjson', '10'],
      ['ndjson', '20'],
    ]);
    expect(result.stderr).toContain(`saved ${Buffer.byteLength(parts.join(''))} bytes`);
  });

  it("fails with the API's message for a job it cannot see, and makes no file", async () => {
    const url = await serve([]);

    const dir = emptyDir();

    const result = await runCli(['--url', url, '--api-key', 'k', 'jobs', 'logs', 'nope', '--download', 'x.log'], { cwd: dir });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('no such job');
    await expect(readFile(join(dir, 'x.log'))).rejects.toThrow(/ENOENT/);
  });
});
