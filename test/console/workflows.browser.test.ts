import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleHarness, fieldControl as field, startConsoleHarness, watchProblems } from './browser';

describe('web console: workflows (Chromium, real control plane)', () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsoleHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('builds a two-step workflow on a failure edge in the graph editor, saves, runs it and watches the run turn', async () => {
    await h.admin.post('/events', { name: 'fails', runtime: 'bash', script: 'echo about to fail; exit 3' });
    await h.admin.post('/events', { name: 'recover', runtime: 'bash', script: 'echo handled the failure' });
    const page = await h.open();
    const problems = watchProblems(page);
    await page.goto(`${h.local.url}/#/workflows`);
    await page.getByRole('link', { name: 'New workflow' }).click();
    await page.getByRole('heading', { name: 'New workflow' }).waitFor();
    await field(page.locator('.wf-name'), 'Name').fill('fail then recover');

    const addStep = page.getByRole('form', { name: 'Add step' });
    for (const name of ['fails', 'recover']) {
      await field(addStep, 'Event').selectOption({ label: name });
      await addStep.getByRole('button', { name: 'Add step' }).click();
    }
    const graph = page.getByRole('region', { name: 'Workflow graph' });
    await graph.locator('[data-step="fails"]').waitFor();
    await graph.locator('[data-step="recover"]').waitFor();

    // A cycle is refused by the API, in its words, and nothing is saved.
    const addEdge = page.getByRole('form', { name: 'Add edge' });
    const edge = async (from: string, to: string, when: string) => {
      await field(addEdge, 'From').selectOption(from);
      await field(addEdge, 'To').selectOption(to);
      await field(addEdge, 'When').selectOption(when);
      await addEdge.getByRole('button', { name: 'Add edge' }).click();
    };
    await edge('fails', 'recover', 'failure');
    await edge('recover', 'fails', 'success');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/cycle/i);
    expect((await h.admin.get('/workflows')).body.items).toEqual([]);
    await page.getByRole('button', { name: 'Delete edge recover to fails' }).click();

    // The edge is drawn with its condition as a label and in its colour.
    const label = graph.locator('.react-flow__edge.when-failure .react-flow__edge-text');
    await expect.poll(() => label.textContent()).toBe('failure');
    expect(await graph.locator('.react-flow__edge').count()).toBe(1);
    // Strings, not functions: this file is type-checked without the DOM library.
    const [stroke, danger] = await page.evaluate<[string, string]>(`(() => {
      const path = document.querySelector('.react-flow__edge.when-failure .react-flow__edge-path');
      const probe = document.createElement('span');
      probe.className = 'error';
      document.body.append(probe);
      const colours = [getComputedStyle(path).stroke, getComputedStyle(probe).color];
      probe.remove();
      return colours;
    })()`);
    expect(stroke).toMatch(/^rgb/);
    expect(stroke).toBe(danger);

    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL(/#\/workflows\/[^/n][^/]*$/);
    const workflowId = decodeURIComponent(page.url().split('/').pop()!);
    const saved = (await h.admin.get(`/workflows/${workflowId}`)).body;
    expect(saved).toMatchObject({
      name: 'fail then recover',
      nodes: [{ id: 'fails' }, { id: 'recover' }],
      edges: [{ from: 'fails', to: 'recover', when: 'failure' }],
    });

    // Run, and watch the run's graph change without a reload.
    await page.evaluate('window.sameDocument = true');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.waitForURL(/#\/workflow-runs\//);
    const run = page.getByRole('region', { name: 'Run graph' });
    await run.locator('[data-step="fails"]').waitFor();
    await run.locator('[data-step="fails"][data-status="failed"]').waitFor({ timeout: 60_000 });
    await run.locator('[data-step="recover"][data-status="completed"]').waitFor({ timeout: 60_000 });
    await page.locator('.page-header [data-status="completed"]').waitFor();
    expect(await page.evaluate('window.sameDocument')).toBe(true);
    expect(await run.locator('.react-flow__edge.when-failure .react-flow__edge-text').textContent()).toBe('failure');
    const runId = decodeURIComponent(page.url().split('/').pop()!);
    const apiRun = (await h.admin.get(`/workflow-runs/${runId}`)).body;
    expect(apiRun.steps.map((s: { status: string }) => s.status)).toEqual(['failed', 'completed']);

    // A step opens its job.
    await run.locator('[data-step="recover"]').click();
    await page.waitForURL(new RegExp(`#/jobs/${apiRun.steps[1].jobId}$`));
    await page.getByRole('log', { name: 'Job log' }).getByText('handled the failure').waitFor();
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('connects two steps by dragging from one handle to the other, then changes the edge condition and saves', async () => {
    const { body: a } = await h.admin.post('/events', { name: 'extract', runtime: 'bash', script: 'echo a' });
    const { body: b } = await h.admin.post('/events', { name: 'load', runtime: 'bash', script: 'echo b' });
    const { body: wf } = await h.admin.post('/workflows', {
      name: 'drag me',
      nodes: [
        { id: 'extract', eventId: a.id },
        { id: 'load', eventId: b.id },
      ],
      edges: [],
    });
    const page = await h.open();
    const problems = watchProblems(page);
    await page.goto(`${h.local.url}/#/workflows/${wf.id}`);
    const graph = page.getByRole('region', { name: 'Workflow graph' });
    await field(page.locator('.wf-toolbar'), 'Connections drawn on the graph are').selectOption('always');

    const from = (await graph.locator('[data-step="extract"] .react-flow__handle.source').boundingBox())!;
    const to = (await graph.locator('[data-step="load"] .react-flow__handle.target').boundingBox())!;
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2 + 20, { steps: 5 });
    await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 5 });
    await page.mouse.up();

    await expect.poll(() => graph.locator('.react-flow__edge.when-always .react-flow__edge-text').textContent()).toBe('always');
    await page.getByRole('combobox', { name: 'When for extract to load' }).selectOption('condition');
    await expect.poll(() => graph.locator('.react-flow__edge.when-condition .react-flow__edge-text').textContent()).toBe('condition');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect
      .poll(async () => (await h.admin.get(`/workflows/${wf.id}`)).body.edges)
      .toEqual([{ from: 'extract', to: 'load', when: 'condition' }]);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('cancels a running run from its page, and retries it', async () => {
    const { body: slow } = await h.admin.post('/events', { name: 'slow', runtime: 'bash', script: 'echo started; sleep 60' });
    const { body: wf } = await h.admin.post('/workflows', { name: 'slow one', nodes: [{ id: 'slow', eventId: slow.id }], edges: [] });
    const { body: started } = await h.admin.post(`/workflows/${wf.id}/runs`, {});
    const page = await h.open();
    const problems = watchProblems(page);
    await page.goto(`${h.local.url}/#/workflow-runs/${started.id}`);
    const run = page.getByRole('region', { name: 'Run graph' });
    await run.locator('[data-step="slow"][data-status="running"]').waitFor({ timeout: 30_000 });

    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.locator('.page-header [data-status="cancelled"]').waitFor();
    await run.locator('[data-step="slow"][data-status="cancelled"]').waitFor({ timeout: 30_000 });
    expect((await h.admin.get(`/workflow-runs/${started.id}`)).body.status).toBe('cancelled');

    await page.getByRole('button', { name: 'Retry run' }).click();
    await page.locator('.page-header [data-status="running"]').waitFor();
    await run.locator('[data-step="slow"][data-status="running"]').waitFor({ timeout: 30_000 });
    expect((await h.admin.get(`/workflow-runs/${started.id}`)).body).toMatchObject({ status: 'running', attempt: 2 });
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page.locator('.page-header [data-status="cancelled"]').waitFor();
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
