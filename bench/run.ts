/**
 * `npm run bench`: figures for docs/benchmarks.md, each against a baseline measured in the same run.
 * - job latency: REST submit of `print(1)` until `completed` arrives over WebSocket,
 *   against a raw hardened `docker run` of the same image and command;
 * - log latency: a line printed in the container until it reaches a WebSocket client.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { promisify } from 'node:util';
import { openSocket, startHarness } from '../test/e2e/harness';
import { round, summarize } from './stats';

const run = promisify(execFile);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 15);
const IMAGE = 'cronium/python:latest';

const time = async (fn: () => Promise<unknown>) => {
  const start = performance.now();
  await fn();
  return performance.now() - start;
};

const rawDockerRun = () =>
  run('docker', [
    'run', '--rm', '--user', '1000:1000', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges',
    '--read-only', '--tmpfs', '/tmp:size=64m', '--network', 'none', '--init',
    '--memory', '512m', '--memory-swap', '512m', '--cpus', '0.5', '--pids-limit', '128',
    IMAGE, 'python3', '-c', 'print(1)',
  ]);

const main = async () => {
  const h = await startHarness({ LOG_LEVEL: 'error' });
  const ws = await openSocket(h.local.wsUrl, h.local.adminKey);
  try {
    const submitAndWait = async () => {
      const { body } = await h.admin.post('/jobs', { runtime: 'python', script: 'print(1)' });
      ws.subscribe(body.id);
      await ws.waitFor((m) => m.type === 'status' && m.jobId === body.id && m.status === 'completed');
    };

    process.stderr.write('warming up…\n');
    for (let i = 0; i < 2; i++) {
      await rawDockerRun();
      await submitAndWait();
    }

    const raw: number[] = [];
    const cronium: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      raw.push(await time(rawDockerRun));
      cronium.push(await time(submitAndWait));
      process.stderr.write(`run ${i + 1}/${RUNS}\r`);
    }

    const lines = 200;
    const script = `import time\nfor i in range(${lines}):\n    print(time.time() * 1000, flush=True)\n    time.sleep(0.02)\n`;
    const { body } = await h.admin.post('/jobs', { runtime: 'python', script });
    const arrivals: number[] = [];
    ws.socket.on('message', (data) => {
      const m = JSON.parse(String(data));
      if (m.type === 'log' && m.jobId === body.id) arrivals.push(Date.now() - Number(m.line));
    });
    ws.subscribe(body.id);
    await ws.waitFor((m) => m.type === 'status' && m.jobId === body.id && m.status === 'completed', 60_000);
    await new Promise((r) => setTimeout(r, 500));

    const job = summarize(cronium);
    const baseline = summarize(raw);
    const result = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version },
      runs: RUNS,
      jobLatency: {
        what: "REST submit of a Python print(1) until 'completed' arrives over WebSocket",
        cronium: job,
        baselineRawDockerRun: baseline,
        ratioMedian: round(job.medianMs / baseline.medianMs, 2),
        ratioP95: round(job.p95Ms / baseline.p95Ms, 2),
      },
      logLatency: {
        what: 'a line printed in the container until a WebSocket client receives it',
        ...summarize(arrivals),
      },
    };
    await mkdir('bench/results', { recursive: true });
    await writeFile('bench/results/latest.json', `${JSON.stringify(result, null, 2)}\n`);

    const row = (name: string, s: { medianMs: number; p95Ms: number }) =>
      `${name.padEnd(34)} median ${String(s.medianMs).padStart(7)} ms   p95 ${String(s.p95Ms).padStart(7)} ms`;
    console.log(row('cronium job (REST → WS completed)', job));
    console.log(row('raw hardened docker run', baseline));
    console.log(`ratio (median / p95)               ${result.jobLatency.ratioMedian} / ${result.jobLatency.ratioP95}`);
    console.log(`log latency (n=${arrivals.length})               median ${result.logLatency.medianMs} ms   p99 ${result.logLatency.p99Ms} ms`);
    console.log('written to bench/results/latest.json');
  } finally {
    ws.close();
    await h.close();
  }
};

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
