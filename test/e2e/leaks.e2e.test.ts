import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness';
import { openSocket, startHarness, waitForJob } from './harness';

const SECRET = 'zq-Secr3t-7f3a9b-k1';

/** Every stored line of a job, following `nextSeq` page by page. */
const allLogs = async (h: Harness, id: string) => {
  const items: { seq: number; stream: string; line: string }[] = [];
  for (let after = 0; ;) {
    const { body } = await h.admin.get(`/jobs/${id}/logs?after=${after}&limit=1000`);
    items.push(...body.items);
    if (body.items.length === 0) return items;
    after = body.items.at(-1).seq;
  }
};

describe('no secret leaks and no lost lines, end to end', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await h.admin.put('/variables/LEAKY', { value: SECRET, secret: true });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('masks a secret that falls across the 16 KiB cut of a long line, in stored and streamed logs', async () => {
    const ws = await openSocket(h.local.wsUrl, h.local.adminKey);
    const script = 'import os\nprint("A"*(16384-8)+os.environ["LEAKY"])';

    const { body } = await h.admin.post('/jobs', { runtime: 'python', script, env: { LEAKY: { fromVariable: 'LEAKY' } } });
    ws.subscribe(body.id);
    const job = await waitForJob(h.admin, body.id);
    await ws.waitFor((m) => m.type === 'status' && m.status === 'completed');
    const stored = await allLogs(h, body.id);

    expect(job.status).toBe('completed');
    expect(stored.map((l) => l.line).join('')).toBe(`${'A'.repeat(16384 - 8)}***`);
    expect(JSON.stringify(stored)).not.toContain(SECRET.slice(0, 8));
    expect(JSON.stringify(ws.messages)).not.toContain(SECRET.slice(0, 8));
    expect(JSON.stringify(ws.messages)).not.toContain(SECRET.slice(-8));
    ws.close();
  });

  it('masks a secret in output and error messages, and refuses to copy it into a plain variable', async () => {
    const script = [
      'import cronium, os, sys',
      's = os.environ["LEAKY"]',
      'cronium.output({"token": s, "note": "t=" + s})',
      'cronium.setVariable("COPY", s)',
      'cronium.setVariable("FINE", 1)',
      'sys.exit(3)',
    ].join('\n');

    const { body } = await h.admin.post('/jobs', { runtime: 'python', script, env: { LEAKY: { fromVariable: 'LEAKY' } } });
    const job = await waitForJob(h.admin, body.id);
    const variables = (await h.admin.get('/variables')).body.items;

    expect(job.status).toBe('failed');
    expect(job.output).toEqual({ token: '***', note: 't=***' });
    expect(job.outputError).toMatch(/variables not set because their value holds a secret value.*COPY/);
    expect(JSON.stringify(job)).not.toContain(SECRET);
    expect(variables.map((v: { key: string }) => v.key)).not.toContain('COPY');
    expect(variables.find((v: { key: string }) => v.key === 'FINE')?.value).toBe(1);
  });

  it('stores all of forty lines of 15,005 bytes', async () => {
    const script = "for i in range(40):\n    print(str(i).zfill(5)+'L'*15000)";

    const { body } = await h.admin.post('/jobs', { runtime: 'python', script });
    const job = await waitForJob(h.admin, body.id);
    const stored = await allLogs(h, body.id);

    expect(job.status).toBe('completed');
    // Each 15,005-byte line is stored as pieces; joined back they are the forty lines.
    const text = stored.map((l) => l.line).join('');
    expect(text).toBe(Array.from({ length: 40 }, (_, i) => `${String(i).padStart(5, '0')}${'L'.repeat(15_000)}`).join(''));
  });

  it.each([
    ['on one line', "import sys; sys.stdout.write('x'*100_000_000)"],
    ['in many lines', "import sys\nfor i in range(1_000_000): sys.stdout.write('x'*99+'\\n')"],
  ])(
    'ends a job that prints 100 MB %s within seconds of its exit, the log-cap notice last',
    async (_how, script) => {
      const started = Date.now();

      const { body } = await h.admin.post('/jobs', { runtime: 'python', script, resources: { memoryMb: 512 } });
      const job = await waitForJob(h.admin, body.id, 60_000);
      const elapsed = Date.now() - started;
      const stored = await allLogs(h, body.id);

      expect(job.status).toBe('completed');
      expect(stored.at(-1)).toMatchObject({ stream: 'system', line: expect.stringMatching(/log limit of \d+ bytes reached/) });
      expect(stored.map((l) => l.seq)).toEqual(stored.map((_, i) => i + 1));
      expect(elapsed).toBeLessThan(40_000);
    },
    90_000,
  );
});
