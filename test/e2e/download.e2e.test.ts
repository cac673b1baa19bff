import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLine } from '../../lambdas/core';
import type { ApiClient, Harness } from './harness';
import { apiClient, startHarness, waitForJob } from './harness';

/** Every stored line through the paged `GET /jobs/{id}/logs`. */
const pagedLogs = async (api: ApiClient, id: string): Promise<LogLine[]> => {
  const lines: LogLine[] = [];
  for (let after = 0; ;) {
    const { body } = await api.get(`/jobs/${id}/logs?after=${after}&limit=5000`);
    if (body.items.length === 0) return lines;
    lines.push(...body.items);
    after = body.nextSeq;
  }
};

describe('log download through the local gateway', () => {
  let h: Harness;
  let other: ApiClient;
  let jobId: string;
  let stored: LogLine[];
  const download = (query: string, key = h.local.adminKey) =>
    fetch(`${h.local.url}/jobs/${jobId}/logs/download${query}`, { headers: { authorization: `Bearer ${key}` } });

  beforeAll(async () => {
    h = await startHarness();
    const { body: key } = await h.admin.post('/keys', { tenant: 'globex' });
    other = apiClient(h.local.url, key.key);
    // About 6 MB in short lines: stored up to the 4 MiB cap, then the notice.
    const script =
      "import sys\nfor i in range(100_000): sys.stdout.write(f'{i:06d} ' + 'y'*52 + '\\n')\nprint('to stderr', file=sys.stderr)";
    const { body } = await h.admin.post('/jobs', { runtime: 'python', script });
    jobId = body.id;
    await waitForJob(h.admin, jobId, 60_000);
    stored = await pagedLogs(h.admin, jobId);
  }, 90_000);
  afterAll(async () => {
    await h?.close();
  });

  it('streams a log at the cap whole as ndjson: every stored line, the cap notice last, chunked, with a file name', async () => {
    const res = await download('?format=ndjson');
    const text = await res.text();

    expect(res.status).toBe(200);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="cronium-job-${jobId}.ndjson"`);
    expect(res.headers.get('x-cronium-next-after')).toBeNull();
    const lines = text
      .split('\n')
      .slice(0, -1)
      .map((l) => JSON.parse(l) as LogLine);
    expect(stored.at(-1)?.line).toMatch(/log limit of \d+ bytes reached/);
    expect(lines).toEqual(stored);
    expect(Buffer.byteLength(text)).toBeGreaterThan(5 * 1024 * 1024);
  });

  it('streams the same log as text, one line per stored line with its time and stream', async () => {
    const res = await download('');
    const lines = (await res.text()).split('\n').slice(0, -1);

    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="cronium-job-${jobId}.log"`);
    expect(lines).toHaveLength(stored.length);
    expect(lines[0]).toBe(`${stored[0]!.ts} stdout ${stored[0]!.line}`);
    expect(lines.at(-1)).toBe(`${stored.at(-1)!.ts} system ${stored.at(-1)!.line}`);
  });

  it('goes on after a given seq', async () => {
    const res = await download(`?format=ndjson&after=${stored.length - 2}`);
    const lines = (await res.text()).split('\n').slice(0, -1);

    expect(lines.map((l) => (JSON.parse(l) as LogLine).seq)).toEqual([stored.length - 1, stored.length]);
  });

  it.each([
    ['?format=xml', 'format'],
    ['?after=-3', 'after'],
  ])('answers %s with a 400 naming %s', async (query, field) => {
    const res = await download(query);

    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(new RegExp(`^${field}: `));
  });

  it("answers another tenant's job with a 404, and no key with a 401", async () => {
    const theirs = await other.get(`/jobs/${jobId}/logs/download`);
    const anonymous = await fetch(`${h.local.url}/jobs/${jobId}/logs/download`);

    expect(theirs.status).toBe(404);
    expect(anonymous.status).toBe(401);
  });
});
