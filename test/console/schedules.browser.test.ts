import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleHarness, fieldControl as field, startConsoleHarness, watchProblems } from './browser';

const cells = (page: Page, table: string, attr: 'data-utc' | 'data-local') =>
  page
    .getByRole('table', { name: table })
    .locator(`td[${attr}]`)
    .evaluateAll((tds, a) => tds.map((td) => td.getAttribute(a)), attr);

describe('web console: schedules (Chromium, real control plane)', () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    // Ticks (which hand schedule fires to the queue) every second instead of every 30.
    h = await startConsoleHarness({ CRONIUM_REAP_INTERVAL_MS: '1000' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('previews a cron in a zone before saving, lists the same fires after saving, pauses and resumes', async () => {
    const { body: event } = await h.admin.post('/events', { name: 'nightly report', runtime: 'bash', script: 'echo report' });
    const page = await h.open();
    const problems = watchProblems(page);
    await page.goto(`${h.local.url}/#/schedules`);
    await page.getByRole('button', { name: 'New schedule' }).click();
    const form = page.getByRole('form', { name: 'New schedule' });
    await field(form, 'Name').fill('adelaide nightly');
    await field(form, 'Event').selectOption({ label: 'nightly report' });
    await field(form, 'Cron expression').fill('30 2 * * *');
    await field(form, 'Time zone').fill('Australia/Adelaide');

    // The preview is on screen while nothing is saved yet.
    const previewed = page.getByRole('table', { name: 'Previewed fires' });
    await expect.poll(async () => (await previewed.count()) && (await cells(page, 'Previewed fires', 'data-local')).length).toBe(5);
    const previewLocal = await cells(page, 'Previewed fires', 'data-local');
    expect(previewLocal.every((t) => /T02:30:00\+(09|10):30$/.test(t))).toBe(true);
    expect((await h.admin.get('/schedules')).body.items).toEqual([]);

    // A wrong expression is refused in the API's words before saving.
    await field(form, 'Cron expression').fill('61 2 * * *');
    await expect.poll(() => form.getByRole('alert').textContent()).toContain('cron: minute field "61"');
    await field(form, 'Cron expression').fill('30 2 * * *');
    await previewed.waitFor();

    await form.getByRole('button', { name: 'Save schedule' }).click();
    const row = page.locator('tr[data-schedule-id]').filter({ hasText: 'adelaide nightly' });
    await row.waitFor();
    const id = (await row.getAttribute('data-schedule-id'))!;
    await expect.poll(() => row.textContent()).toContain('Australia/Adelaide');
    expect(await row.textContent()).toContain('30 2 * * *');
    expect(await row.textContent()).toContain('event nightly report');
    expect(await row.locator(`[data-target="${event.id}"]`).count()).toBe(1);

    // The saved schedule opens with its next fires: exactly what GET /schedules/{id} answers, and what was previewed.
    const shown = (await h.admin.get(`/schedules/${id}`)).body;
    await page.getByRole('table', { name: 'Next fires' }).waitFor();
    expect(await cells(page, 'Next fires', 'data-utc')).toEqual(shown.nextFires.map((f: { utc: string }) => f.utc));
    expect(await cells(page, 'Next fires', 'data-local')).toEqual(shown.nextFires.map((f: { local: string }) => f.local));
    expect(await cells(page, 'Next fires', 'data-local')).toEqual(previewLocal);

    await row.getByRole('button', { name: 'Pause' }).click();
    await row.locator('[data-enabled="false"]').waitFor();
    expect((await h.admin.get(`/schedules/${id}`)).body).toMatchObject({ enabled: false });
    await row.getByRole('button', { name: 'Resume' }).click();
    await row.locator('[data-enabled="true"]').waitFor();
    expect((await h.admin.get(`/schedules/${id}`)).body).toMatchObject({ enabled: true, nextFireAt: shown.nextFires[0].utc });

    await row.getByRole('button', { name: 'Delete' }).click();
    await row.getByRole('button', { name: 'Confirm delete' }).click();
    await row.waitFor({ state: 'detached' });
    expect((await h.admin.get(`/schedules/${id}`)).status).toBe(404);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('shows a schedule’s last fires, each linking to the job it started', async () => {
    const { body: event } = await h.admin.post('/events', { name: 'soon', runtime: 'bash', script: 'echo fired by schedule' });
    const at = new Date(Date.now() + 3_000).toISOString();
    const { body: schedule } = await h.admin.post('/schedules', { name: 'once soon', target: { eventId: event.id }, at });
    const page = await h.open();
    const problems = watchProblems(page);
    await page.goto(`${h.local.url}/#/schedules`);
    const row = page.locator(`tr[data-schedule-id="${schedule.id}"]`);
    await row.getByRole('button', { name: 'once soon' }).click();

    const link = page.getByRole('table', { name: 'Last fires' }).getByRole('link', { name: /^job / });
    await link.waitFor({ timeout: 30_000 });
    const { lastFires } = (await h.admin.get(`/schedules/${schedule.id}`)).body;
    expect(await link.textContent()).toBe(`job ${lastFires[0].jobId}`);
    await link.click();
    await page.waitForURL(new RegExp(`#/jobs/${lastFires[0].jobId}$`));
    await page.getByRole('log', { name: 'Job log' }).getByText('fired by schedule').waitFor({ timeout: 30_000 });
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
