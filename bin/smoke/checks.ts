import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from '../cli/apiClient';
import { ApiError } from '../cli/errors';
import { isTerminalStatus, type Job, type LogPage } from '../cli/types';
import { watchOverSocket } from './socketWatch';

/** The deployment under test, as its users reach it. */
export interface SmokeTarget {
  url: string;
  wsUrl: string;
  key: string;
  /** Where the HTTP-job check sends its request; the deployment's own `/health` by default. */
  httpUrl: string;
  /** How long one job may take to end (a cold Fargate start takes tens of seconds). */
  jobTimeoutMs: number;
}

export interface SmokeContext {
  target: SmokeTarget;
  api: ApiClient;
  /** A client with a given key (or none), for the authentication and isolation checks. */
  clientWith(key: string): ApiClient;
}

export interface SmokeCheck {
  name: string;
  /** Throws with a message saying what the deployment did instead. */
  run(ctx: SmokeContext): Promise<void>;
}

const expectThat = (ok: boolean, message: string) => {
  if (!ok) throw new Error(message);
};

/** The status an API call answered with: 0 when it succeeded (2xx). */
const statusOf = async (call: Promise<unknown>): Promise<number> => {
  try {
    await call;
    return 0;
  } catch (err) {
    if (err instanceof ApiError) return err.status;
    throw err;
  }
};

/** A job as the REST API returns it, with the fields the CLI's own type leaves out. */
type SmokeJob = Job & { output?: unknown };

/** Any `POST /jobs` body: the smoke check sends kinds (http, env from variables) the CLI's type does not model. */
const submit = (ctx: SmokeContext, body: object) => ctx.api.request<SmokeJob>('POST', '/jobs', body);

const waitForEnd = async (ctx: SmokeContext, id: string): Promise<SmokeJob> => {
  const deadline = Date.now() + ctx.target.jobTimeoutMs;
  for (;;) {
    const job: SmokeJob = await ctx.api.getJob(id);
    if (isTerminalStatus(job.status)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} still ${job.status} after ${ctx.target.jobTimeoutMs} ms`);
    await sleep(250);
  }
};

const storedLines = async (ctx: SmokeContext, id: string): Promise<string[]> =>
  (await ctx.api.getLogs(id, 0, 1000)).items.map((l: LogPage['items'][number]) => l.line);

const describeJob = (job: Job) =>
  `${job.status}${job.exitCode !== undefined ? ` (exit ${job.exitCode})` : ''}${job.error ? `: ${job.error.message}` : ''}`;

const health: SmokeCheck = {
  name: 'health answers without a key',
  async run({ target }) {
    const res = await fetch(`${target.url}/health`);
    expectThat(res.ok, `GET /health answered ${res.status}`);
  },
};

const refusesWithoutKey: SmokeCheck = {
  name: 'the API refuses a missing or wrong key',
  async run({ target, clientWith }) {
    const bare = await fetch(`${target.url}/jobs`);
    expectThat(bare.status === 401 || bare.status === 403, `GET /jobs without a key answered ${bare.status}`);
    const wrong = await statusOf(clientWith(`cronium_${randomBytes(16).toString('hex')}`).listJobs());
    expectThat(wrong === 401 || wrong === 403, `GET /jobs with a made-up key answered ${wrong || 'success'}`);
  },
};

const LINES = 5;
const pythonLinesInOrder: SmokeCheck = {
  name: 'a Python job completes and its lines arrive over the WebSocket, in order',
  async run(ctx) {
    const job = await ctx.api.submitJob({
      runtime: 'python',
      script: `for i in range(1, ${LINES + 1}):\n    print(f"smoke line {i}", flush=True)\n`,
    });
    const delivered = await watchOverSocket(ctx.target.wsUrl, job.id, ctx.target.jobTimeoutMs);
    expectThat(
      delivered.terminal?.status === 'completed',
      `the socket pushed ${delivered.terminal ? delivered.terminal.status : 'no terminal status'}`,
    );
    const texts = delivered.lines.map((l) => l.line);
    const want = Array.from({ length: LINES }, (_, i) => `smoke line ${i + 1}`);
    expectThat(JSON.stringify(texts) === JSON.stringify(want), `the socket delivered ${JSON.stringify(texts)}`);
    expectThat(
      delivered.lines.every((l, i) => l.seq === i + 1),
      `sequence numbers ${delivered.lines.map((l) => l.seq).join(',')}`,
    );
  },
};

const failingExitCode: SmokeCheck = {
  name: 'a failing job reports its exit code',
  async run(ctx) {
    const job = await waitForEnd(ctx, (await ctx.api.submitJob({ runtime: 'bash', script: 'echo failing on purpose; exit 3' })).id);
    expectThat(job.status === 'failed' && job.exitCode === 3, `the job ended ${describeJob(job)}`);
  },
};

const cancel: SmokeCheck = {
  name: 'a running job can be cancelled',
  async run(ctx) {
    const { id } = await ctx.api.submitJob({ runtime: 'bash', script: 'echo started; sleep 600' });
    const deadline = Date.now() + ctx.target.jobTimeoutMs;
    while ((await ctx.api.getJob(id)).status !== 'running') {
      if (Date.now() > deadline) throw new Error(`job ${id} never started running`);
      await sleep(250);
    }
    await ctx.api.cancelJob(id);
    const job = await waitForEnd(ctx, id);
    expectThat(job.status === 'cancelled', `the job ended ${describeJob(job)}`);
  },
};

const secretMasked: SmokeCheck = {
  name: 'a secret variable reaches the script and is masked in its log and output',
  async run(ctx) {
    const key = `smoke_secret_${randomBytes(4).toString('hex')}`;
    const value = `s3cr3t-${randomBytes(12).toString('hex')}`;
    await ctx.api.request('PUT', `/variables/${key}`, { value, secret: true });
    try {
      const script = 'echo "secret is $SMOKE_SECRET"; echo "length ${#SMOKE_SECRET}"; cronium_output "{\\"s\\":\\"$SMOKE_SECRET\\"}"';
      const submitted = await submit(ctx, { runtime: 'bash', script, env: { SMOKE_SECRET: { fromVariable: key } } });
      const job = await waitForEnd(ctx, submitted.id);
      expectThat(job.status === 'completed', `the job ended ${describeJob(job)}`);
      const lines = await storedLines(ctx, job.id);
      expectThat(lines.includes(`length ${value.length}`), `the script did not get the secret: ${JSON.stringify(lines)}`);
      expectThat(!JSON.stringify(lines).includes(value) && !JSON.stringify(job).includes(value), 'the secret value came back in clear');
    } finally {
      await ctx.api.request('DELETE', `/variables/${key}`);
    }
  },
};

const httpJob: SmokeCheck = {
  name: 'an HTTP job makes its request and keeps the response',
  async run(ctx) {
    const submitted = await submit(ctx, { runtime: 'http', http: { method: 'GET', url: ctx.target.httpUrl } });
    const job = await waitForEnd(ctx, submitted.id);
    const status = (job.output as { status?: unknown } | undefined)?.status;
    expectThat(job.status === 'completed' && status === 200, `the job ended ${describeJob(job)} with response status ${String(status)}`);
  },
};

const tenantIsolation: SmokeCheck = {
  name: "another tenant sees none of this tenant's jobs",
  async run(ctx) {
    const mine = await ctx.api.submitJob({ runtime: 'bash', script: 'echo mine' });
    const tenant = `smoke-${randomBytes(4).toString('hex')}`;
    // Creating a key for another tenant needs the operator role: the first key of a deployment has it.
    const created = await ctx.api.request<{ id: string; key: string }>('POST', '/keys', { tenant, role: 'user' });
    try {
      const other = ctx.clientWith(created.key);
      const read = await statusOf(other.getJob(mine.id));
      expectThat(read === 404, `the other tenant's GET /jobs/${mine.id} answered ${read || 'success'}`);
      const listed = await other.listJobs();
      expectThat(!listed.items.some((j) => j.id === mine.id), "the job is in the other tenant's list");
      const cancelled = await statusOf(other.cancelJob(mine.id));
      expectThat(cancelled === 404, `the other tenant's cancel answered ${cancelled || 'success'}`);
    } finally {
      await ctx.api.request('DELETE', `/keys/${created.id}`);
    }
  },
};

/** Every check, in the order a user meets the features. */
export const smokeChecks: readonly SmokeCheck[] = [
  health,
  refusesWithoutKey,
  pythonLinesInOrder,
  failingExitCode,
  cancel,
  secretMasked,
  httpJob,
  tenantIsolation,
];
