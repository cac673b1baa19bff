/**
 * Live-delivery figures: log throughput with 1 and 50 subscribers, per-line latency at 1,000 lines/s
 * with 50 subscribers, `GET /jobs/{id}` under load, and the server's memory through a hostile run.
 */
import type { BenchServer } from './server';
import { round, summarize } from './stats';
import { subscribe, type SubscriberView } from './subscribers';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (text: string) => process.stderr.write(`${text}\n`);

const submit = async (s: BenchServer, script: string, extra: Record<string, unknown> = {}): Promise<string> => {
  const { status, body } = await s.admin.post('/jobs', { runtime: 'python', script, ...extra });
  if (status !== 202) throw new Error(`submit refused: ${status} ${JSON.stringify(body)}`);
  return body.id;
};

const waitEnded = async (s: BenchServer, id: string, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await s.admin.get(`/jobs/${id}`);
    if (['completed', 'failed', 'timeout', 'cancelled'].includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${body.status}`);
    await sleep(100);
  }
};

/** Polls the stored log until it holds `n` lines; resolves with performance.now() then. */
const storedAt = async (s: BenchServer, id: string, n: number, timeoutMs: number): Promise<number> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await s.admin.get(`/jobs/${id}/logs?after=${n - 1}&limit=1`);
    if ((body.items ?? []).length > 0) return performance.now();
    if (Date.now() > deadline) throw new Error(`stored log of ${id} short of ${n} lines`);
    await sleep(20);
  }
};

const openSubscribers = (s: BenchServer, id: string, count: number, o: Parameters<typeof subscribe>[3] = {}) =>
  Promise.all(Array.from({ length: count }, () => subscribe(s.wsUrl, s.adminKey, id, o)));

const tally = (views: SubscriberView[]) => ({
  violations: views.reduce((n, v) => n + v.violations, 0),
  laggingNotices: views.reduce((n, v) => n + v.laggingNotices, 0),
  framesPerSubscriber: round(views.reduce((n, v) => n + v.frames, 0) / views.length, 0),
});

/**
 * (a) One job prints `lines` short lines as fast as it can; the clock starts at the first line a
 * subscriber receives, so container start-up is left out.
 */
export const benchThroughput = async (s: BenchServer, subscribers: number, lines: number) => {
  const script = `import sys\nw = sys.stdout.write\nfor i in range(${lines}):\n    w(f"l{i}\\n")\n`;
  const id = await submit(s, script, { resources: { cpu: 1 } });
  let first = 0;
  const views = await openSubscribers(s, id, subscribers, { onLine: (seq, _t, at) => void (seq === 1 && !first && (first = at)) });
  const stored = storedAt(s, id, lines, 120_000);
  await Promise.all(views.map((v) => v.reached(lines, 120_000)));
  const delivered = performance.now();
  const storedEnd = await stored;
  await waitEnded(s, id, 30_000);
  for (const v of views) v.close();
  return {
    subscribers,
    lines,
    storedLinesPerSecond: round(lines / ((storedEnd - first) / 1000), 0),
    deliveredLinesPerSecond: round(lines / ((delivered - first) / 1000), 0),
    ...tally(views),
  };
};

/** (b) 1,000 lines a second for 5 s; each line carries its print time (ms since the epoch). */
export const benchLatency = async (s: BenchServer, subscribers: number) => {
  const n = 5_000;
  const script = [
    'import time',
    'start = time.time() + 0.5',
    `for i in range(${n}):`,
    '    d = start + i / 1000 - time.time()',
    '    if d > 0: time.sleep(d)',
    '    print(f"{time.time() * 1000:.3f}", flush=True)',
  ].join('\n');
  const id = await submit(s, script, { resources: { cpu: 1 } });
  const latencies: number[] = [];
  const views = await openSubscribers(s, id, subscribers, {
    onLine: (_seq, text) => latencies.push(Date.now() - Number(text)),
  });
  const job = await waitEnded(s, id, 60_000);
  // A subscriber that has not caught up 20 s after the end is reported, not waited for.
  await Promise.allSettled(views.map((v) => v.reached(n, 20_000)));
  const behind = views.filter((v) => v.last < n).map((v) => ({ last: v.last, violations: v.violations, lagging: v.laggingNotices }));
  for (const v of views) v.close();
  return { subscribers, linesPerSecond: 1_000, seconds: 5, jobStatus: job.status, ...summarize(latencies), ...tally(views), behind };
};

/** (c) `GET /jobs/{id}` from 16 concurrent clients for 5 s, and one client's latency. */
export const benchApi = async (s: BenchServer) => {
  const id = await submit(s, 'print(1)');
  await waitEnded(s, id, 30_000);
  const get = () => s.admin.get(`/jobs/${id}`);
  for (let i = 0; i < 200; i++) await get();
  const single: number[] = [];
  for (let i = 0; i < 1_000; i++) {
    const t = performance.now();
    const { status } = await get();
    if (status !== 200) throw new Error(`GET /jobs/{id} answered ${status}`);
    single.push(performance.now() - t);
  }
  let count = 0;
  let failures = 0;
  const seconds = 5;
  const until = performance.now() + seconds * 1000;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (performance.now() < until) {
        const { status } = await get();
        if (status === 200) count++;
        else failures++;
      }
    }),
  );
  const elapsed = (performance.now() - startedAt) / 1000;
  return { concurrentClients: 16, requestsPerSecond: round(count / elapsed, 0), failures, oneClient: summarize(single) };
};

/**
 * (d) RSS before, at peak (sampled every 100 ms) and a minute after a hostile run: 50 subscribers
 * (10 of them never read) on a job printing 2,000 lines of 20 KB (cut at 16 KiB) and a 100 MB line,
 * while another job prints 20,000 short lines as fast as it can. Then, for the reason behind
 * "after": the control plane's `process.memoryUsage()` before, after, and after a full collection,
 * and RSS after that collection.
 */
export const benchSoak = async (s: BenchServer, settleMs = 60_000) => {
  const before = await s.rssMb();
  const memoryBefore = (await s.memoryMb()).asIs;
  let peak = before;
  const sampler = setInterval(() => void s.rssMb().then((mb) => (peak = Math.max(peak, mb))), 100);
  try {
    const long = await submit(
      s,
      'import sys\nfor i in range(2000):\n    sys.stdout.write("y" * 20000 + "\\n")\nsys.stdout.write("x" * 100_000_000 + "\\n")\nprint("end")\n',
      { resources: { memoryMb: 1024 } },
    );
    const flood = await submit(s, 'import sys\nfor i in range(20000):\n    sys.stdout.write(f"f{i}\\n")\n');
    const readers = await openSubscribers(s, long, 40);
    const stalled = await openSubscribers(s, long, 10);
    for (const v of stalled) v.socket.pause();
    const floodReaders = await openSubscribers(s, flood, 10);
    const [longJob] = await Promise.all([waitEnded(s, long, 240_000), waitEnded(s, flood, 240_000)]);
    await sleep(2_000);
    const views = [...readers, ...stalled, ...floodReaders];
    const result = {
      hostileJobStatus: longJob.status,
      readersCaughtUp: readers.filter((v) => v.status?.lastSeq !== undefined && v.last === v.status.lastSeq).length,
      ...tally(views),
    };
    for (const v of views) v.close();
    await sleep(settleMs);
    const after = await s.rssMb();
    // Read after the figure above: what of "after" is the JS heap, and what a full collection gives back.
    const memory = await s.memoryMb({ gc: true });
    const afterGc = await s.rssMb();
    return {
      rssMb: { before: round(before, 0), peak: round(peak, 0), after: round(after, 0), afterFullGc: round(afterGc, 0) },
      settleSeconds: settleMs / 1000,
      memoryMb: { before: memoryBefore, after: memory.asIs, afterFullGc: memory.afterGc },
      ...result,
    };
  } finally {
    clearInterval(sampler);
  }
};

/** The parts of the live bench, in the order they run. */
export const LIVE_PARTS = ['throughput', 'latency', 'api', 'soak'] as const;
export type LivePart = (typeof LIVE_PARTS)[number];

/** The chosen parts (all four by default), in order, each logged as it finishes. */
export const benchLive = async (s: BenchServer, parts: readonly LivePart[] = LIVE_PARTS) => {
  const out: {
    throughput?: Awaited<ReturnType<typeof benchThroughput>>[];
    latency?: Awaited<ReturnType<typeof benchLatency>>;
    api?: Awaited<ReturnType<typeof benchApi>>;
    soak?: Awaited<ReturnType<typeof benchSoak>>;
  } = {};
  if (parts.includes('throughput')) {
    log('live: throughput, 1 subscriber…');
    const one = await benchThroughput(s, 1, 50_000);
    log(JSON.stringify(one));
    log('live: throughput, 50 subscribers…');
    const fifty = await benchThroughput(s, 50, 50_000);
    log(JSON.stringify(fifty));
    out.throughput = [one, fifty];
  }
  if (parts.includes('latency')) {
    log('live: 1,000 lines/s, 50 subscribers…');
    out.latency = await benchLatency(s, 50);
    log(JSON.stringify(out.latency));
  }
  if (parts.includes('api')) {
    log('api: GET /jobs/{id}…');
    out.api = await benchApi(s);
    log(JSON.stringify(out.api));
  }
  if (parts.includes('soak')) {
    log('soak: hostile run, then a minute idle…');
    out.soak = await benchSoak(s, Number(process.env['BENCH_SETTLE_MS'] ?? 60_000));
    log(JSON.stringify(out.soak));
  }
  return out;
};
