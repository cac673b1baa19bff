import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, waitForJob } from '../e2e/harness';
import { type SshdHandle, startSshd } from '../helpers/sshd';
import { type ConsoleHarness, signIn, startConsoleHarness, watchProblems as watch } from './browser';

describe('web console: servers, API keys and stats (Chromium, real control plane)', () => {
  let h: ConsoleHarness;
  let sshd: SshdHandle;
  beforeAll(async () => {
    sshd = await startSshd();
    h = await startConsoleHarness();
  });
  afterAll(async () => {
    await h?.close();
    await sshd?.stop();
  });

  it('adds a server with its key, never shows the key again, tests the connection showing the fingerprint, and deletes it', async () => {
    const page = await h.open();
    const problems = watch(page);
    await page.goto(`${h.local.url}/#/servers`);
    await page.getByRole('button', { name: 'Add server' }).click();
    await page.getByLabel('Name', { exact: true }).fill('sshd-test');
    await page.getByLabel('Host', { exact: true }).fill(sshd.host);
    await page.getByLabel('Port', { exact: true }).fill(String(sshd.port));
    await page.getByLabel('Username', { exact: true }).fill(sshd.user);
    await page.getByLabel('Private key').fill(sshd.privateKeyPem);
    await page.getByRole('button', { name: 'Save server' }).click();

    const card = page.locator('li.ops-card', { hasText: 'sshd-test' });
    await card.waitFor();
    await expect.poll(() => card.textContent()).toContain(`${sshd.user}@${sshd.host}:${sshd.port}`);
    const keyBody = sshd.privateKeyPem.split('\n')[1]!;
    expect(await page.content()).not.toContain(keyBody);
    const { body: listed } = await h.admin.get('/servers');
    expect(listed.items).toHaveLength(1);

    await card.getByRole('button', { name: 'Test connection' }).click();
    const result = card.getByRole('status');
    await result.waitFor({ timeout: 20_000 });
    expect(await result.textContent()).toContain(sshd.hostKeyFingerprint);
    expect(await result.textContent()).toMatch(new RegExp(`Connected as ${sshd.user} in \\d+ ms`));
    // The first connection pinned the host key, and the list shows it.
    await expect.poll(() => card.locator('dd.mono').nth(1).textContent()).toBe(sshd.hostKeyFingerprint);

    // A wrong port: the failure in the API's words, not an error wall.
    await card.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Port', { exact: true }).fill('1');
    await page.getByRole('button', { name: 'Save server' }).click();
    await expect.poll(() => card.textContent()).toContain(`${sshd.host}:1`);
    await card.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => card.getByRole('alert').textContent(), { timeout: 20_000 }).toMatch(/refused|connect|unreachable/i);

    await card.getByRole('button', { name: 'Delete', exact: true }).click();
    await card.getByRole('button', { name: 'Delete sshd-test' }).click();
    await page.getByText('No servers yet').waitFor();
    expect((await h.admin.get('/servers')).body.items).toHaveLength(0);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('creates a user key shown once, which signs in but may not manage keys; revoking it refuses that page', async () => {
    const admin = await h.open();
    const problems = watch(admin);
    await admin.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await admin.goto(`${h.local.url}/#/keys`);
    await admin.getByRole('heading', { name: 'API keys' }).waitFor();
    await admin.getByLabel('Tenant', { exact: true }).fill('default');
    await admin.getByLabel('Role').selectOption('user');
    await admin.getByRole('button', { name: 'Create key' }).click();
    const shown = admin.getByLabel('New API key');
    await shown.waitFor();
    const key = await shown.inputValue();
    expect(key.length).toBeGreaterThan(20);
    expect(await admin.getByRole('alert').first().textContent()).toMatch(/shown only once/);
    await admin.getByRole('button', { name: 'Copy' }).click();
    await admin.getByRole('button', { name: 'Copied' }).waitFor();
    expect(await admin.evaluate('navigator.clipboard.readText()')).toBe(key);
    await admin.getByRole('button', { name: 'Done' }).click();
    await shown.waitFor({ state: 'detached' });
    expect(await admin.content()).not.toContain(key);
    const row = admin.locator('tr', { hasText: `…${key.slice(-4)}` });
    await row.waitFor();
    expect(await row.textContent()).toContain('user');

    const user = await h.open({ signedIn: false });
    const userProblems = watch(user);
    await signIn(user, key);
    await user.goto(`${h.local.url}/#/keys`);
    await user.getByText('API keys need an admin key').waitFor();
    await user.goto(`${h.local.url}/#/jobs`);
    await user.getByRole('heading', { name: 'Jobs' }).waitFor();
    await user
      .getByText(/No jobs match|Job/)
      .first()
      .waitFor();

    await row.getByRole('button', { name: /Revoke/ }).click();
    await row.getByRole('button', { name: 'Yes, revoke' }).click();
    await row.waitFor({ state: 'detached' });
    const { body: keys } = await h.admin.get('/keys');
    expect(keys.items.map((k: { lastFour: string }) => k.lastFour)).not.toContain(key.slice(-4));

    // The jobs list refreshes every 2 s: with the key revoked, it is refused in the API's words.
    await expect.poll(() => user.getByRole('alert').first().textContent(), { timeout: 15_000 }).toMatch(/unauthori[sz]ed|key/i);
    expect((await fetch(`${h.local.url}/jobs`, { headers: { authorization: `Bearer ${key}` } })).status).toBe(401);
    expect([...problems, ...userProblems]).toEqual([]);
    await admin.context().close();
    await user.context().close();
  });

  it('shows the success rate and durations of a completed and a failed job, as GET /stats has them', async () => {
    const ok = await h.admin.post('/jobs', { runtime: 'bash', script: 'echo fine' });
    const bad = await h.admin.post('/jobs', { runtime: 'bash', script: 'echo broken; exit 3' });
    expect((await waitForJob(h.admin, ok.body.id)).status).toBe('completed');
    expect((await waitForJob(h.admin, bad.body.id)).status).toBe('failed');
    const stats = await eventually(async () => {
      const { body } = await h.admin.get('/stats');
      return body.total.jobs >= 2 ? body : undefined;
    });

    const page = await h.open();
    const problems = watch(page);
    await page.goto(`${h.local.url}/#/stats`);
    const rate = page.locator('[data-figure="success-rate"]');
    await rate.waitFor();
    expect(await rate.textContent()).toBe(`${(stats.total.successRate * 100).toFixed(1)} %`);
    expect(await page.locator('[data-figure="jobs"]').textContent()).toBe(String(stats.total.jobs));
    expect(await page.locator('[data-figure="duration"]').textContent()).not.toContain('—');
    // The charts: an accessible summary, and the current hour's window in the table fallback.
    const chart = page.getByRole('img', { name: /^Success rate:/ });
    expect(await chart.getAttribute('aria-label')).toMatch(/success rate from \d+ % to \d+ %, over 24 buckets/);
    await page.getByText('Success rate as a table').click();
    const lastRow = page.locator('figure', { hasText: 'Success rate as a table' }).locator('tbody tr').last();
    expect(await lastRow.locator('td').nth(1).textContent()).toBe(`${Math.round(stats.total.successRate * 100)} %`);

    await page.getByRole('combobox', { name: 'Range' }).selectOption('7d');
    await expect.poll(() => chart.getAttribute('aria-label')).toMatch(/over 28 buckets/);
    expect(await rate.textContent()).toBe(`${(stats.total.successRate * 100).toFixed(1)} %`);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
