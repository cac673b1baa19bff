import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalControlPlane } from '../../lambdas/local/createLocalControlPlane';
import type { ApiClient, Harness } from './harness';
import { apiClient, eventually, startHarness } from './harness';

interface StepView {
  nodeId: string;
  status: string;
  jobId?: string;
  input?: unknown;
  output?: unknown;
  skipReason?: string;
}

const waitForRun = async (api: ApiClient, runId: string, timeoutMs = 60_000) =>
  eventually(
    async () => {
      const { body } = await api.get(`/workflow-runs/${runId}`);
      return body.status === 'running' ? undefined : body;
    },
    timeoutMs,
    `workflow run ${runId} to end`,
  );

const stepOf = (run: { steps: StepView[] }, nodeId: string) => run.steps.find((s) => s.nodeId === nodeId)!;

describe('workflows end to end with real containers', () => {
  let h: Harness;
  let ev: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness({ CRONIUM_REAP_INTERVAL_MS: '1000' });
    const make = async (name: string, script: string) =>
      (await h.admin.post('/events', { name, runtime: 'bash', script })).body.id as string;
    ev = {
      // Doubles the number it is given (or starts from 1), and says whether it exceeded 3.
      double: await make(
        'double',
        'n=$(cronium_input -r n); n=${n:-1}; m=$((n*2)); echo "doubled $n"; cronium_output "{\\"n\\":$m}"; if [ $m -gt 3 ]; then cronium_condition true; else cronium_condition false; fi\n',
      ),
      fail: await make('fail', 'echo "about to fail"; exit 3\n'),
      echoInput: await make('echo-input', 'cronium_output "$(cronium_input)"; cronium_context -r workflowStep\n'),
      slow: await make('slow', 'sleep 30\n'),
      wait: await make('wait', 'sleep 3; cronium_output \'"waited"\'\n'),
    };
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  const create = async (body: unknown) => {
    const res = await h.admin.post('/workflows', body);
    expect(res.status).toBe(201);
    return res.body.id as string;
  };

  it('refuses a cycle with a 400 naming it', async () => {
    const res = await h.admin.post('/workflows', {
      name: 'loop',
      nodes: [
        { id: 'a', eventId: ev['double'] },
        { id: 'b', eventId: ev['double'] },
      ],
      edges: [
        { from: 'a', to: 'b', when: 'success' },
        { from: 'b', to: 'a', when: 'success' },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'invalid_input', message: 'edges: cycle a -> b -> a' });
  });

  it('runs a diamond: output flows down, the join gets both parents keyed by id, condition branches decide', async () => {
    const id = await create({
      name: 'diamond',
      nodes: [
        { id: 'start', eventId: ev['double'] },
        { id: 'left', eventId: ev['double'] },
        { id: 'right', eventId: ev['double'] },
        { id: 'join', eventId: ev['echoInput'] },
        { id: 'big', eventId: ev['echoInput'] },
        { id: 'small', eventId: ev['echoInput'] },
      ],
      edges: [
        { from: 'start', to: 'left', when: 'success' },
        { from: 'start', to: 'right', when: 'success' },
        { from: 'left', to: 'join', when: 'success' },
        { from: 'right', to: 'join', when: 'success' },
        { from: 'left', to: 'big', when: 'condition' },
        { from: 'left', to: 'small', when: 'not-condition' },
      ],
    });
    const started = await h.admin.post(`/workflows/${id}/runs`, { input: { n: 1 } });
    expect(started.status).toBe(202);
    const run = await waitForRun(h.admin, started.body.id);

    expect(run.status).toBe('completed');
    expect(stepOf(run, 'start').output).toEqual({ n: 2 });
    expect(stepOf(run, 'left').output).toEqual({ n: 4 });
    expect(stepOf(run, 'join').output).toEqual({ left: { n: 4 }, right: { n: 4 } });
    expect(stepOf(run, 'big')).toMatchObject({ status: 'completed', output: { n: 4 } });
    expect(stepOf(run, 'small').status).toBe('skipped');
    expect(stepOf(run, 'small').skipReason).toContain('edge needs not-condition');
    const logs = await h.admin.get(`/jobs/${stepOf(run, 'join').jobId}/logs`);
    expect(logs.body.items.map((l: { line: string }) => l.line)).toEqual(['join']);
    const listed = await h.admin.get(`/workflows/${id}/runs`);
    expect(listed.body.items.map((r: { id: string }) => r.id)).toEqual([run.id]);
  }, 90_000);

  it('takes the failure branch, fails a run whose failure nothing handles, and retries it keeping completed steps', async () => {
    const id = await create({
      name: 'failing',
      nodes: [
        { id: 'first', eventId: ev['double'] },
        { id: 'breaks', eventId: ev['fail'] },
        { id: 'cleanup', eventId: ev['echoInput'], input: 'cleaning' },
        { id: 'after', eventId: ev['echoInput'] },
      ],
      edges: [
        { from: 'first', to: 'breaks', when: 'success' },
        { from: 'breaks', to: 'cleanup', when: 'failure' },
        { from: 'breaks', to: 'after', when: 'success' },
      ],
    });
    const started = await h.admin.post(`/workflows/${id}/runs`, {});
    const run = await waitForRun(h.admin, started.body.id);
    // cleanup handled the failure: the run completed, after was skipped.
    expect(run.status).toBe('completed');
    expect(stepOf(run, 'breaks').status).toBe('failed');
    expect(stepOf(run, 'cleanup')).toMatchObject({ status: 'completed', output: 'cleaning' });
    expect(stepOf(run, 'after').status).toBe('skipped');

    const strict = await create({
      name: 'strict',
      nodes: [
        { id: 'first', eventId: ev['double'] },
        { id: 'breaks', eventId: ev['fail'] },
      ],
      edges: [{ from: 'first', to: 'breaks', when: 'success' }],
    });
    const failedRun = await waitForRun(h.admin, (await h.admin.post(`/workflows/${strict}/runs`, {})).body.id);
    expect(failedRun.status).toBe('failed');
    expect(failedRun.reason).toContain('step breaks ended failed');
    const firstJob = stepOf(failedRun, 'first').jobId;

    const retried = await h.admin.post(`/workflow-runs/${failedRun.id}/retry`, {});
    expect(retried.status).toBe(202);
    const again = await waitForRun(h.admin, failedRun.id);
    expect(again.status).toBe('failed');
    expect(again.attempt).toBe(2);
    expect(stepOf(again, 'first').jobId).toBe(firstJob);
    expect(stepOf(again, 'breaks').jobId).toBe(`${failedRun.id}-breaks-2`);
  }, 90_000);

  it('cancels a run: its running step is cancelled and nothing after it starts', async () => {
    const id = await create({
      name: 'cancel me',
      nodes: [
        { id: 'slow', eventId: ev['slow'] },
        { id: 'never', eventId: ev['echoInput'] },
      ],
      edges: [{ from: 'slow', to: 'never', when: 'always' }],
    });
    const started = await h.admin.post(`/workflows/${id}/runs`, {});
    await eventually(async () => {
      const { body } = await h.admin.get(`/workflow-runs/${started.body.id}`);
      return stepOf(body, 'slow').status === 'running' && (body.steps[0] as { jobStatus?: string }).jobStatus === 'running'
        ? true
        : undefined;
    }, 20_000);
    const cancelled = await h.admin.post(`/workflow-runs/${started.body.id}/cancel`, {});
    expect(cancelled.status).toBe(202);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', reason: 'cancelled by request' });
    const run = await eventually(async () => {
      const { body } = await h.admin.get(`/workflow-runs/${started.body.id}`);
      return stepOf(body, 'slow').status === 'cancelled' ? body : undefined;
    }, 20_000);
    expect(stepOf(run, 'never').status).toBe('cancelled');
    expect(stepOf(run, 'never').jobId).toBeUndefined();
  }, 60_000);
});

describe('a workflow run across a restart of the control plane', () => {
  let dataDir: string;
  let local: Awaited<ReturnType<typeof createLocalControlPlane>> | undefined;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'cronium-wf-restart-'));
  });
  afterAll(async () => {
    await local?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = () =>
    createLocalControlPlane({
      ...process.env,
      CRONIUM_DATA_DIR: dataDir,
      CRONIUM_PORT: '0',
      LOG_LEVEL: 'warn',
      CRONIUM_REAP_INTERVAL_MS: '1000',
    });

  it('goes on after a restart in the middle of a step: the next step starts once, with its parent output', async () => {
    local = await start();
    let api = apiClient(local.url, local.adminKey);
    const wait = (await api.post('/events', { name: 'wait', runtime: 'bash', script: 'sleep 4; cronium_output \'"waited"\'\n' })).body.id;
    const echo = (await api.post('/events', { name: 'echo', runtime: 'bash', script: 'cronium_output "$(cronium_input)"\n' })).body.id;
    const wf = (
      await api.post('/workflows', {
        name: 'restart',
        nodes: [
          { id: 'a', eventId: wait },
          { id: 'b', eventId: echo },
        ],
        edges: [{ from: 'a', to: 'b', when: 'success' }],
      })
    ).body.id;
    const runId = (await api.post(`/workflows/${wf}/runs`, {})).body.id;
    await eventually(async () => {
      const { body } = await api.get(`/workflow-runs/${runId}`);
      return (body.steps[0] as { jobStatus?: string }).jobStatus === 'running' ? true : undefined;
    }, 20_000);

    await local.close({ graceMs: 0 });
    local = await start();
    api = apiClient(local.url, local.adminKey);
    const run = await waitForRun(api, runId, 60_000);
    expect(run.status).toBe('completed');
    expect(stepOf(run, 'a').output).toBe('waited');
    expect(stepOf(run, 'b')).toMatchObject({ status: 'completed', input: 'waited', output: 'waited' });
    const jobs = (await api.get('/jobs?limit=100')).body.items as { id: string; workflowRunId?: string; workflowStepId?: string }[];
    expect(jobs.filter((j) => j.workflowStepId === 'b').map((j) => [j.id, j.workflowRunId])).toEqual([[`${runId}-b-1`, runId]]);
  }, 120_000);
});
