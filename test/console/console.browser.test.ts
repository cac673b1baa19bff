import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForJob } from '../e2e/harness';
import { type ConsoleHarness, startConsoleHarness } from './browser';

describe('web console: signing in and following jobs (Chromium, real control plane)', () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await startConsoleHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('is served at / with a strict Content-Security-Policy, and its config names the same origin', async () => {
    const page = await fetch(`${h.local.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    const config = await (await fetch(`${h.local.url}/console/config.json`)).json();
    expect(config).toEqual({ apiUrl: '', wsUrl: '/ws' });
    // The API still answers on the same port.
    expect((await fetch(`${h.local.url}/jobs`)).status).toBe(401);
  });

  it('refuses a wrong key in the API’s words and keeps nothing', async () => {
    const page = await h.open({ signedIn: false });
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/unauthori[sz]ed|key/i);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.context().close();
  });

  it('signs in, keeps the key in session storage only, and signs out', async () => {
    const page = await h.open();
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    expect(await page.evaluate(() => Object.values(sessionStorage))).toEqual([h.local.adminKey]);
    expect((await page.context().cookies()).length).toBe(0);
    expect(page.url()).not.toContain(h.local.adminKey);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.context().close();
  });

  it('shows a running job’s lines as they are written, then its end, without a reload', async () => {
    const { body: job } = await h.admin.post('/jobs', {
      runtime: 'python',
      script: 'import time\nfor i in range(5):\n    print(f"tick {i}", flush=True)\n    time.sleep(0.4)\nprint("done", flush=True)',
    });
    const page = await h.open();
    await page.locator(`tr[data-job-id="${job.id}"] a`).click();
    const log = page.getByRole('log', { name: 'Job log' });
    await log.getByText('tick 0').waitFor();
    // "tick 0" is on screen while the job still runs: the line came live, not with the end.
    expect(terminalNow(await h.admin.get(`/jobs/${job.id}`))).toBe(false);
    await log.getByText('done').waitFor({ timeout: 30_000 });
    await page.locator('.page-header [data-status="completed"]').waitFor();
    const seqs = await log.locator('.log-line').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-seq'))));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    await page.context().close();
  });

  it('filters the jobs list by event (from the event’s “its jobs” link) and by runtime', async () => {
    const { body: event } = await h.admin.post('/events', { name: 'filtered', runtime: 'python', script: 'print(1)' });
    const { body: ofEvent } = await h.admin.post(`/events/${event.id}/runs`, {});
    const { body: adHoc } = await h.admin.post('/jobs', { runtime: 'bash', script: 'echo 1' });
    const page = await h.open();
    await page.locator(`tr[data-job-id="${adHoc.id}"]`).waitFor();

    await page.goto(`${h.local.url}/#/events/${event.id}`);
    await page.getByRole('link', { name: 'its jobs' }).click();
    await page.locator(`tr[data-job-id="${ofEvent.id}"]`).waitFor();
    expect(await page.locator('tbody tr').count()).toBe(1);

    await page.getByLabel('Event id').fill('');
    await page.getByLabel('Runtime').selectOption('bash');
    await page.locator(`tr[data-job-id="${ofEvent.id}"]`).waitFor({ state: 'detached' });
    await page.locator(`tr[data-job-id="${adHoc.id}"]`).waitFor();
    await page.context().close();
  });

  it('names a job’s event on its page, and runs the event again from the event’s own page', async () => {
    const { body: event } = await h.admin.post('/events', { name: 'nightly report', runtime: 'bash', script: 'echo report' });
    const { body: job } = await h.admin.post(`/events/${event.id}/runs`, {});
    const page = await h.open();
    await page.goto(`${h.local.url}/#/jobs/${job.id}`);

    await page.getByRole('heading', { name: 'nightly report' }).waitFor();
    await page.getByRole('link', { name: 'Run the event again…' }).click();
    await page.waitForURL(new RegExp(`#/events/${event.id}$`));
    await page.context().close();
  });

  it('cancels a running job from its page', async () => {
    const { body: job } = await h.admin.post('/jobs', { runtime: 'bash', script: 'echo started; sleep 60' });
    const page = await h.open();
    await page.goto(`${h.local.url}/#/jobs/${job.id}`);
    await page.getByRole('log', { name: 'Job log' }).getByText('started').waitFor();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('.page-header [data-status="cancelled"]').waitFor();
    expect((await waitForJob(h.admin, job.id)).status).toBe('cancelled');
    await page.context().close();
  });
});

const terminalNow = (res: { body: { status: string } }) => ['completed', 'failed', 'timeout', 'cancelled'].includes(res.body.status);
