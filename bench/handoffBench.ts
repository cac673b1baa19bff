/**
 * Workflow step hand-off: from a parent step's job stored `completed` (its `finishedAt`) to its
 * child's job stored `queued` (its `createdAt`), both stamped by the control plane's clock.
 * Chains of `CHAIN` steps (a bash `true` each, real containers) run `RUNS` at a time through a
 * control plane in its own process (local home: dynalite, local queue, Docker). What lies between
 * the two stamps: the end's hooks (the workflow hook reads the run and the step jobs, writes the
 * run with its version check, reads the child's event) and the child's submission.
 *
 * The same hand-off is also measured in-process with nothing else running (`core`): the control
 * plane over dynalite with a launcher that only records, each step ended through the report path
 * as soon as it is dispatched, so the figure is the code's own cost with the store it uses.
 *
 * `npx tsx bench/run.ts --handoff` (or this file alone) writes bench/results/handoff.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { createDynamoStore } from '../lambdas/adapters/dynamodb';
import { createControlPlane, NotFoundError } from '../lambdas/core';
import { eventually } from '../test/e2e/harness';
import { startDynalite } from '../test/helpers/dynamo';
import { createTestDeps } from '../test/helpers/memory/createTestDeps';
import { startServer } from './server';
import { round, summarize } from './stats';

const CHAIN = Number(process.env['BENCH_HANDOFF_CHAIN'] ?? 21);
const RUNS = Number(process.env['BENCH_HANDOFF_RUNS'] ?? 3);
const RESULTS = 'bench/results/handoff.json';

interface Step {
  nodeId: string;
  jobId?: string;
}

export const benchHandoff = async () => {
  const h = await startServer({ LOG_LEVEL: 'error' });
  try {
    const event = (await h.admin.post('/events', { name: 'noop', runtime: 'bash', script: 'true\n' })).body.id as string;
    const nodes = Array.from({ length: CHAIN }, (_, i) => ({ id: `s${i}`, eventId: event }));
    const edges = nodes.slice(1).map((n, i) => ({ from: `s${i}`, to: n.id, when: 'success' }));
    const wf = (await h.admin.post('/workflows', { name: 'chain', nodes, edges })).body.id as string;

    const runIds: string[] = [];
    for (let i = 0; i < RUNS; i++) runIds.push((await h.admin.post(`/workflows/${wf}/runs`, {})).body.id as string);
    const samples: number[] = [];
    for (const runId of runIds) {
      const run = await eventually(
        async () => {
          const { body } = await h.admin.get(`/workflow-runs/${runId}`);
          return body.status === 'running' ? undefined : (body as { status: string; steps: Step[] });
        },
        20 * 60_000,
        `run ${runId}`,
      );
      if (run.status !== 'completed') throw new Error(`run ${runId} ended ${run.status}`);
      const jobs = await Promise.all(
        run.steps.map(async (s) => (await h.admin.get(`/jobs/${s.jobId}`)).body as { createdAt: string; finishedAt: string }),
      );
      for (let i = 1; i < jobs.length; i++) samples.push(Date.parse(jobs[i]!.createdAt) - Date.parse(jobs[i - 1]!.finishedAt));
      process.stderr.write(`run ${runId} done\n`);
    }
    return { handoffs: summarize(samples), chain: CHAIN, runs: RUNS, note: 'parent finishedAt to child createdAt, ms' };
  } finally {
    await h.close();
  }
};

/** The hand-off through the core alone: dynalite, a recording launcher, steps ended at once. */
export const benchHandoffCore = async (chains = 2, length = 30) => {
  const dynamo = await startDynalite();
  try {
    // Hook failures are logged, not thrown (the tick finds a lost step later; there is no tick here): keep them to explain a missing step.
    const problems: string[] = [];
    const keep = (obj: object, msg?: string) =>
      problems.push(`${msg ?? ''} ${JSON.stringify(obj, (k, v: unknown) => (k === 'err' ? String(v) : v))}`);
    const logger = { info: () => {}, warn: keep, error: keep };
    const deps = createTestDeps({ clock: { now: Date.now, set: () => {}, advance: () => {} }, logger });
    const cp = createControlPlane({ ...deps, store: createDynamoStore({ tableName: await dynamo.newTable(), client: dynamo.client }) });
    // A step is submitted by the previous step's end hooks; wait for it rather than assume they ran first.
    const stepJob = (jobId: string) =>
      eventually(
        () => cp.jobs.get(caller, jobId).catch((err: unknown) => (err instanceof NotFoundError ? undefined : Promise.reject(err))),
        5_000,
        `job ${jobId} (hook problems: ${problems.join('; ') || 'none logged'})`,
      );
    const caller = { tenant: 'bench', role: 'user' } as const;
    const event = await cp.events.create(caller, { name: 'noop', runtime: 'bash', script: 'true' });
    const nodes = Array.from({ length }, (_, i) => ({ id: `s${i}`, eventId: event.id }));
    const edges = nodes.slice(1).map((n, i) => ({ from: `s${i}`, to: n.id, when: 'success' as const }));
    const wf = await cp.workflows.create(caller, { name: 'chain', nodes, edges });
    const samples: number[] = [];
    for (let c = 0; c < chains; c++) {
      const run = await cp.workflows.start(caller, wf.id);
      let previous: { finishedAt?: string } | undefined;
      for (let i = 0; i < length; i++) {
        const key = { tenant: 'bench', jobId: `${run.id}-s${i}-1` };
        const job = await stepJob(key.jobId);
        if (previous) samples.push(Date.parse(job.createdAt) - Date.parse(previous.finishedAt!));
        await cp.dispatch(key);
        await cp.executions.exited(key, { exitCode: 0, oomKilled: false, timedOut: false, outputs: { files: {} } });
        previous = await cp.jobs.get(caller, key.jobId);
      }
    }
    return {
      handoffs: summarize(samples),
      chains,
      length,
      note: 'in-process, dynalite, recording launcher; parent finishedAt to child createdAt, ms',
    };
  } finally {
    await dynamo.stop();
  }
};

/** The 1, 5 and 15 minute load averages: other work on the machine moves these figures. */
const load = () => loadavg().map((x) => round(x, 2));

export const mainHandoff = async () => {
  const measuredAt = new Date().toISOString();
  const before = load();
  const core = await benchHandoffCore();
  const local = await benchHandoff();
  const result = { measuredAt, loadAverage: { before, after: load() }, core, local };
  await mkdir('bench/results', { recursive: true });
  await writeFile(RESULTS, `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
  console.log(`written to ${RESULTS}`);
};

if (import.meta.url === `file://${process.argv[1]}`) await mainHandoff();
