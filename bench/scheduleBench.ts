/**
 * Schedule fire accuracy: from a fire's planned time (the job's `scheduledAt`) to its job leaving
 * `queued` (`claimedAt`, the dispatcher took the queue's message), over `FIRES` fires one second
 * apart. The control plane runs in its own process (local home: dynalite, local queue) with its
 * tick once a minute, as the EventBridge rule runs it on AWS; each fire is an `at` schedule of an
 * http job to a receiver on 127.0.0.1, so no container start sits between the two stamps.
 *
 * The tick creates each job ahead of its time (`createdAt`, already `queued`) and hands it to the
 * queue with a delay of whole seconds, rounded down (`offeredAt`, when the message becomes
 * deliverable, up to a second early); the dispatcher holds it until its `scheduledAt`. The figures
 * are `offered` (planned to deliverable), `claimed` (planned to out of `queued`, the headline),
 * `request` (planned to the http request reaching the receiver) and `lead` (how long before its
 * time the job was queued). A fire that ran early, or a job that did not complete, fails the bench.
 *
 * `npx tsx bench/run.ts --schedules` (or this file alone) writes bench/results/schedules.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { eventually } from '../test/e2e/harness';
import { startReceiver } from '../test/e2e/receiver';
import { startServer } from './server';
import { round, summarize } from './stats';

const FIRES = Number(process.env['BENCH_SCHEDULE_FIRES'] ?? 120);
const TICK_MS = Number(process.env['BENCH_SCHEDULE_TICK_MS'] ?? 60_000);
/** The first fire, after the schedules exist: past the first tick, so every fire is handed over ahead. */
const LEAD_MS = Number(process.env['BENCH_SCHEDULE_LEAD_MS'] ?? TICK_MS + 10_000);
const RESULTS = 'bench/results/schedules.json';

interface FiredJob {
  id: string;
  status: string;
  scheduledAt: string;
  createdAt: string;
  offeredAt?: string;
  claimedAt?: string;
  startedAt?: string;
}

/**
 * When the queue message became deliverable, where the API does not show `offeredAt`: the tick
 * submits with a delay of whole seconds, rounded down, from about the job's `createdAt`.
 */
const offeredFrom = (j: FiredJob) => {
  const ahead = Date.parse(j.scheduledAt) - Date.parse(j.createdAt);
  return Math.max(0, Math.floor(ahead / 1000)) * 1000 - ahead;
};

const load = () => loadavg().map((x) => round(x, 2));

export const benchSchedules = async () => {
  const receiver = await startReceiver();
  // http jobs may reach only the receiver on loopback (the guard refuses private addresses unless allowed).
  const h = await startServer({ LOG_LEVEL: 'error', CRONIUM_REAP_INTERVAL_MS: String(TICK_MS), CRONIUM_HTTP_ALLOW: '127.0.0.1/32' });
  try {
    const http = { method: 'GET', url: `${receiver.url}/fire` };
    const event = await h.admin.post('/events', { name: 'ping', runtime: 'http', http });
    if (event.status !== 201) throw new Error(`event not created: ${JSON.stringify(event.body)}`);
    const first = Math.ceil((Date.now() + LEAD_MS) / 1000) * 1000;
    const schedules: string[] = [];
    for (let i = 0; i < FIRES; i++) {
      const at = new Date(first + i * 1000).toISOString();
      const s = await h.admin.post('/schedules', { name: `at-${i}`, target: { eventId: event.body.id }, at });
      if (s.status !== 201) throw new Error(`schedule not created: ${JSON.stringify(s.body)}`);
      schedules.push(s.body.id as string);
    }
    process.stderr.write(`${FIRES} fires from ${new Date(first).toISOString()}, one a second; tick every ${TICK_MS} ms\n`);
    const loadBefore = load();

    const jobIdOf = async (id: string) =>
      ((await h.admin.get(`/schedules/${id}`)).body.lastFires as { status: string; jobId?: string }[]).find((f) => f.status === 'submitted')
        ?.jobId;
    const last = schedules[schedules.length - 1]!;
    await eventually(() => jobIdOf(last), first + FIRES * 1000 + 2 * TICK_MS - Date.now(), 'the last fire');
    const loadDuring = load();
    // The last jobs were queued up to a tick's window ahead of their time: let them come due first.
    await new Promise((r) => setTimeout(r, Math.max(0, first + FIRES * 1000 - Date.now())));
    const jobs = await Promise.all(
      schedules.map(async (id) => {
        const jobId = await eventually(() => jobIdOf(id), 10_000, `the fire of ${id}`);
        return eventually(
          async () => {
            const job = (await h.admin.get(`/jobs/${jobId}`)).body as FiredJob;
            return ['queued', 'claimed', 'running'].includes(job.status) ? undefined : job;
          },
          60_000,
          `job ${jobId}`,
        );
      }),
    );

    const after = (stamp: string | undefined, job: FiredJob) => Date.parse(stamp ?? '') - Date.parse(job.scheduledAt);
    const failed = jobs.filter((j) => j.status !== 'completed');
    if (failed.length > 0) throw new Error(`${failed.length} jobs did not complete: ${JSON.stringify(failed[0])}`);
    const claimed = jobs.map((j) => after(j.claimedAt, j));
    const early = claimed.filter((ms) => ms < 0).length;
    if (early > 0) throw new Error(`${early} fires left the queue before their time`);
    const times = receiver.received.map((r) => r.at).sort((a, b) => a - b);
    const request = times.map((at, i) => at - (first + i * 1000));
    return {
      fires: FIRES,
      tickMs: TICK_MS,
      loadAverage: { before: loadBefore, during: loadDuring, after: load() },
      claimed: summarize(claimed),
      offered: summarize(jobs.map((j) => (j.offeredAt ? after(j.offeredAt, j) : offeredFrom(j)))),
      request: summarize(request),
      lead: summarize(jobs.map((j) => -after(j.createdAt, j))),
      target: { p99Ms: 1000, met: summarize(claimed).p99Ms < 1000 },
      note: 'ms after the planned fire time: claimed = job out of queued (claimedAt), offered = queue message deliverable (offeredAt, or createdAt plus the whole-second delay rounded down; negative: before the planned time, the dispatcher then holds the job until it), request = http request at the receiver; lead = ms the job was queued before its time',
    };
  } finally {
    await h.close();
    await receiver.close();
  }
};

export const mainSchedules = async () => {
  const result = { measuredAt: new Date().toISOString(), ...(await benchSchedules()) };
  await mkdir('bench/results', { recursive: true });
  await writeFile(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  console.log(`written to ${RESULTS}`);
};

if (import.meta.url === `file://${process.argv[1]}`) await mainSchedules();
