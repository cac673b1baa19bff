/**
 * `npm run bench`: figures for docs/benchmarks.md, each against a baseline measured in the same run.
 * - job latency: REST submit of `print(1)` until `completed` arrives over WebSocket,
 *   against a raw hardened `docker run` of the same image and command;
 * - log latency: a line printed in the container until it reaches a WebSocket client;
 * - SSH: a trivial job over a warm pool against a raw `ssh host cmd`, and 1 server against 4;
 * - live delivery, the API under load and memory through a hostile run (bench/liveBench.ts).
 * The control plane runs in a child process, so its memory is measured apart from the clients'.
 *
 * `npm run bench -- --live` runs only the live bench (`--live=api,soak`: only those parts, of
 * throughput, latency, api, soak) and replaces just those figures in bench/results/latest.json.
 * `npx tsx bench/run.ts --aws` counts only the AWS requests of one job (bench/awsRequests.ts) and
 * writes them to bench/results/aws-requests.json.
 * `npx tsx bench/run.ts --handoff` measures workflow step hand-off (bench/handoffBench.ts, bench/results/handoff.json);
 * `npx tsx bench/run.ts --schedules` measures schedule fire accuracy (bench/scheduleBench.ts, bench/results/schedules.json);
 * `npx tsx bench/run.ts --console` measures the web console in Chromium (bench/consoleBench.ts, bench/results/console.json).
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { promisify } from 'node:util';
import { openSocket } from '../test/e2e/harness';
import { rawSshArgs, startSshd } from '../test/helpers/sshd';
import { benchAwsRequests } from './awsRequests';
import { mainConsole } from './consoleBench';
import { mainHandoff } from './handoffBench';
import { mainSchedules } from './scheduleBench';
import { benchLive, LIVE_PARTS, type LivePart } from './liveBench';
import { startServer, type BenchServer } from './server';
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
    'run',
    '--rm',
    '--user',
    '1000:1000',
    '--cap-drop',
    'ALL',
    '--security-opt',
    'no-new-privileges',
    '--read-only',
    '--tmpfs',
    '/tmp:size=64m',
    '--network',
    'none',
    '--init',
    '--memory',
    '512m',
    '--memory-swap',
    '512m',
    '--cpus',
    '0.5',
    '--pids-limit',
    '128',
    IMAGE,
    'python3',
    '-c',
    'print(1)',
  ]);

/** SSH: four real sshd on 127.0.0.1, servers registered over REST, jobs followed over WebSocket. */
const benchSsh = async (h: BenchServer, subscribe: (id: string) => void, done: (id: string) => Promise<unknown>) => {
  const sshds = await Promise.all([0, 1, 2, 3].map(() => startSshd()));
  try {
    const ids: string[] = [];
    for (const [i, sshd] of sshds.entries()) {
      const { body } = await h.admin.post('/servers', {
        name: `bench${i}`,
        host: sshd.host,
        port: sshd.port,
        username: sshd.user,
        privateKey: sshd.privateKeyPem,
      });
      ids.push(body.id);
    }
    const runOn = (serverIds: string[], script: string) => async () => {
      const { body } = await h.admin.post('/jobs', { runtime: 'bash', script, target: { type: 'ssh', serverIds } });
      subscribe(body.id);
      await done(body.id);
    };
    const first = sshds[0]!;
    const rawSsh = () => run('ssh', rawSshArgs(first, 'echo hi'));
    await runOn([ids[0]!], 'echo warm')();
    await runOn(ids, 'echo warm')();
    const warm: number[] = [];
    const rawTimes: number[] = [];
    const one: number[] = [];
    const four: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      warm.push(await time(runOn([ids[0]!], 'echo hi')));
      rawTimes.push(await time(rawSsh));
    }
    for (let i = 0; i < Math.ceil(RUNS / 3); i++) {
      one.push(await time(runOn([ids[0]!], 'sleep 1; echo hi')));
      four.push(await time(runOn(ids, 'sleep 1; echo hi')));
    }
    const warmJob = summarize(warm);
    const raw = summarize(rawTimes);
    const oneServer = summarize(one);
    const fourServers = summarize(four);
    return {
      what: "REST submit of a bash job over SSH until 'completed' arrives over WebSocket",
      warmJob,
      rawSsh: raw,
      ratioMedian: round(warmJob.medianMs / raw.medianMs, 2),
      oneServer,
      fourServers,
      parallelRatio: round(fourServers.medianMs / oneServer.medianMs, 2),
    };
  } finally {
    for (const sshd of sshds) await sshd.stop();
  }
};

const RESULTS = 'bench/results/latest.json';

/** `--live` or `--live=a,b`: the live parts asked for, or undefined for the whole bench. */
const liveOnly = (): LivePart[] | undefined => {
  const flag = process.argv.find((a) => a === '--live' || a.startsWith('--live='));
  if (!flag) return undefined;
  const asked = flag.includes('=') ? flag.slice('--live='.length).split(',') : [...LIVE_PARTS];
  const unknown = asked.filter((p) => !(LIVE_PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new Error(`unknown live part(s): ${unknown.join(', ')} (choose from ${LIVE_PARTS.join(', ')})`);
  return asked as LivePart[];
};

/** Runs only the chosen live parts and replaces those figures in the results, keeping the rest. */
const mainLive = async (parts: LivePart[]) => {
  const h = await startServer({ LOG_LEVEL: 'error' });
  try {
    const live = await benchLive(h, parts);
    const previous = JSON.parse(await readFile(RESULTS, 'utf8').catch(() => '{}')) as Record<string, unknown>;
    const measuredAt = new Date().toISOString();
    const stamped = Object.fromEntries(
      Object.entries(live).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => ({ ...x, measuredAt })) : { ...v, measuredAt }]),
    );
    await writeFile(RESULTS, `${JSON.stringify({ ...previous, ...stamped }, null, 2)}\n`);
    console.log(JSON.stringify(live, null, 2));
    console.log(`written to ${RESULTS} (${parts.join(', ')} only)`);
  } finally {
    await h.close();
  }
};

const AWS_RESULTS = 'bench/results/aws-requests.json';

/** Counts the AWS requests of one job (no Docker, no server) and writes them apart. */
const mainAws = async () => {
  const aws = { measuredAt: new Date().toISOString(), ...(await benchAwsRequests()) };
  await mkdir('bench/results', { recursive: true });
  await writeFile(AWS_RESULTS, `${JSON.stringify(aws, null, 2)}\n`);
  console.log(JSON.stringify(aws, null, 2));
  console.log(`written to ${AWS_RESULTS}`);
};

const main = async () => {
  if (process.argv.includes('--aws')) return mainAws();
  if (process.argv.includes('--handoff')) return mainHandoff();
  if (process.argv.includes('--schedules')) return mainSchedules();
  if (process.argv.includes('--console')) return mainConsole();
  const parts = liveOnly();
  if (parts) return mainLive(parts);
  const h = await startServer({ LOG_LEVEL: 'error' });
  const ws = await openSocket(h.wsUrl, h.adminKey);
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
      if (m.type !== 'logs' || m.jobId !== body.id) return;
      for (const l of m.lines) arrivals.push(Date.now() - Number(l.line));
    });
    ws.subscribe(body.id);
    await ws.waitFor((m) => m.type === 'status' && m.jobId === body.id && m.status === 'completed', 60_000);
    await new Promise((r) => setTimeout(r, 500));

    const ssh = await benchSsh(
      h,
      (id) => ws.subscribe(id),
      (id) => ws.waitFor((m) => m.type === 'status' && m.jobId === id && ['completed', 'failed'].includes(m.status), 60_000),
    );

    const live = await benchLive(h);
    const awsRequests = await benchAwsRequests();
    await writeFile(AWS_RESULTS, `${JSON.stringify({ measuredAt: new Date().toISOString(), ...awsRequests }, null, 2)}\n`);
    if (!live.throughput || !live.latency || !live.api || !live.soak) throw new Error('the whole live bench did not run');

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
      ssh,
      ...live,
      awsRequests,
    };
    await mkdir('bench/results', { recursive: true });
    await writeFile(RESULTS, `${JSON.stringify(result, null, 2)}\n`);

    const row = (name: string, s: { medianMs: number; p95Ms: number }) =>
      `${name.padEnd(34)} median ${String(s.medianMs).padStart(7)} ms   p95 ${String(s.p95Ms).padStart(7)} ms`;
    console.log(row('cronium job (REST → WS completed)', job));
    console.log(row('raw hardened docker run', baseline));
    console.log(`ratio (median / p95)               ${result.jobLatency.ratioMedian} / ${result.jobLatency.ratioP95}`);
    console.log(
      `log latency (n=${arrivals.length})               median ${result.logLatency.medianMs} ms   p99 ${result.logLatency.p99Ms} ms`,
    );
    console.log(row('cronium ssh job, warm pool', ssh.warmJob));
    console.log(row('raw ssh host echo hi', ssh.rawSsh));
    console.log(`ratio (median)                     ${ssh.ratioMedian}`);
    console.log(row('sleep 1 on 1 server', ssh.oneServer));
    console.log(row('sleep 1 on 4 servers', ssh.fourServers));
    console.log(`wall-time ratio 4 vs 1 (median)    ${ssh.parallelRatio}`);
    for (const t of live.throughput) {
      console.log(
        `${t.lines} lines, ${t.subscribers} subscriber(s): stored ${t.storedLinesPerSecond}/s, delivered ${t.deliveredLinesPerSecond}/s`,
      );
    }
    console.log(`1,000 lines/s to 50 subscribers: median ${live.latency.medianMs} ms   p99 ${live.latency.p99Ms} ms`);
    console.log(`GET /jobs/{id}: ${live.api.requestsPerSecond}/s from 16 clients; one client p99 ${live.api.oneClient.p99Ms} ms`);
    console.log(`RSS before ${live.soak.rssMb.before} MB, peak ${live.soak.rssMb.peak} MB, after ${live.soak.rssMb.after} MB`);
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
