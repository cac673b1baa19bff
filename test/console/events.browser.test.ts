import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { terminal, waitForJob } from '../e2e/harness';
import { type SshdHandle, startSshd } from '../helpers/sshd';
import { type ConsoleHarness, startConsoleHarness, watchProblems } from './browser';

/** What these tests read of the browser's window (the tests' type-check has no DOM library). */
interface BrowserWindow {
  getComputedStyle(el: unknown): { getPropertyValue(prop: string): string };
  document: { documentElement: { scrollWidth: number } };
}

/** Page errors and CSP violations (each test ends asserting there were none), and every URL requested. */
const watch = (page: Page) => {
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  return { problems: watchProblems(page), requests };
};

/** Types into CodeMirror line by line; Escape first so an open completion never takes the Enter. */
const typeScript = async (page: Page, lines: string[]) => {
  await page.locator('.cm-content').click();
  for (const [i, line] of lines.entries()) {
    if (i > 0) {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Enter');
    }
    await page.keyboard.type(line);
  }
  await page.keyboard.press('Escape');
};

const savedId = async (page: Page): Promise<string> => {
  await page.waitForURL(/#\/events\/(?!new)[\w-]+$/);
  return /#\/events\/([\w-]+)$/.exec(page.url())![1]!;
};

describe('web console: events, the event editor and variables (Chromium, real control plane)', () => {
  let h: ConsoleHarness;
  let sshd: SshdHandle;
  beforeAll(async () => {
    sshd = await startSshd();
    // HTTP request jobs may call the local control plane itself (loopback is refused by default).
    h = await startConsoleHarness({ CRONIUM_HTTP_ALLOW: '127.0.0.0/8' });
  });
  afterAll(async () => {
    await h?.close();
    await sshd?.stop();
  });

  it('writes a Python event in the editor, saves it, runs it and shows its lines live on the same page', async () => {
    const page = await h.open();
    const seen = watch(page);
    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByRole('link', { name: 'New event' }).click();
    await page.getByLabel('Name').fill('ticker');
    await page.getByLabel('Runtime').selectOption('python');
    const script = ['import time', 'for i in range(8): print(f"line {i}", flush=True) or time.sleep(0.5)'];
    await typeScript(page, script);
    await page.getByRole('button', { name: 'Save' }).click();
    const id = await savedId(page);

    const { body: saved } = await h.admin.get(`/events/${id}`);
    expect(saved).toMatchObject({ name: 'ticker', runtime: 'python', script: script.join('\n') });
    expect(saved.target ?? { type: 'container' }).toEqual({ type: 'container' });

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const run = page.getByRole('region', { name: 'Run' });
    const jobLink = run.getByRole('link', { name: /^\w/ });
    await jobLink.waitFor();
    const jobId = (await jobLink.textContent())!;
    const log = run.getByRole('log', { name: 'Job log' });
    await log.getByText('line 0').waitFor({ timeout: 30_000 });
    // The first line is on screen while the job still runs: it came live, not with the end.
    expect(terminal.has((await h.admin.get(`/jobs/${jobId}`)).body.status)).toBe(false);
    await run.locator('[data-status="completed"]').waitFor({ timeout: 30_000 });
    await log.getByText('line 7').waitFor();
    expect((await waitForJob(h.admin, jobId)).eventId).toBe(id);
    expect(await jobLink.getAttribute('href')).toBe(`#/jobs/${jobId}`);

    // The list shows it, and leads back to the editor.
    await page.getByRole('link', { name: 'Events' }).click();
    const row = page.locator(`tr[data-event-id="${id}"]`);
    await expect.poll(() => row.textContent()).toMatch(/ticker.*python.*container/);
    await row.getByRole('link', { name: 'ticker' }).click();
    await expect.poll(() => page.locator('.cm-content').textContent()).toContain('range(8)');
    expect(seen.problems).toEqual([]);
    await page.context().close();
  });

  it('shows the API’s 400 in its own words when an event is invalid, and saves nothing', async () => {
    const page = await h.open();
    const seen = watch(page);
    await page.goto(`${h.local.url}/#/events/new`);
    await page.getByLabel('Name').fill('bad timeout');
    await page.getByLabel('Runtime').selectOption('bash');
    await typeScript(page, ['echo hi']);
    await page.getByLabel('Timeout (seconds)').fill('0');
    await page.getByRole('button', { name: 'Save' }).click();
    const api = await h.admin.post('/events', {
      name: 'bad timeout',
      runtime: 'bash',
      script: 'echo hi',
      target: { type: 'container' },
      timeoutSeconds: 0,
    });
    expect(api.status).toBe(400);
    await expect.poll(() => page.getByRole('alert').textContent()).toBe(api.body.error.message);
    expect(api.body.error.message).toMatch(/^timeoutSeconds/);

    await page.getByLabel('Timeout (seconds)').fill('');
    await page.getByLabel('Name').fill('');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^name/);
    expect(page.url()).toMatch(/#\/events\/new$/);
    expect((await h.admin.get('/events')).body.items.filter((e: { name: string }) => e.name === 'bad timeout')).toEqual([]);
    expect(seen.problems).toEqual([]);
    await page.context().close();
  });

  it('keeps a secret variable out of the page, passes it to an event through the picker, and the log shows it masked', async () => {
    const secret = 'swordfish-4242';
    const page = await h.open();
    const seen = watch(page);
    await page.getByRole('link', { name: 'Variables' }).click();
    const form = page.getByRole('form', { name: 'Add a variable' });
    await form.getByLabel('Key').fill('API_TOKEN');
    await form.getByLabel('Secret').check();
    await form.getByLabel('Value').fill(secret);
    await form.getByRole('button', { name: 'Add' }).click();
    const row = page.locator('tr[data-variable-key="API_TOKEN"]');
    await expect.poll(() => row.textContent()).toContain('secret · set');
    expect(await page.content()).not.toContain(secret);
    expect(await page.locator('body').innerText()).not.toContain(secret);
    expect((await h.admin.get('/variables')).body.items).toEqual([expect.objectContaining({ key: 'API_TOKEN', secret: true })]);

    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByRole('link', { name: 'New event' }).click();
    await page.getByLabel('Name').fill('uses a secret');
    await page.getByLabel('Runtime').selectOption('bash');
    await typeScript(page, ['echo "token is $TOKEN"']);
    await page.getByRole('button', { name: 'Add variable' }).click();
    await page.getByLabel('Name of row 1').fill('TOKEN');
    await page.getByLabel('Source of TOKEN').selectOption('variable');
    await page.getByLabel('Variable for TOKEN').selectOption('API_TOKEN');
    await page.getByRole('button', { name: 'Save' }).click();
    const id = await savedId(page);
    expect((await h.admin.get(`/events/${id}`)).body.env).toEqual({ TOKEN: { fromVariable: 'API_TOKEN' } });

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const run = page.getByRole('region', { name: 'Run' });
    await run.locator('[data-status="completed"]').waitFor({ timeout: 30_000 });
    const log = run.getByRole('log', { name: 'Job log' });
    await log.getByText('token is ***').waitFor();
    expect(await log.innerText()).not.toContain(secret);
    expect(await page.content()).not.toContain(secret);
    expect(seen.problems).toEqual([]);
    await page.context().close();
  });

  it('highlights Python and Bash, follows the OS dark theme, fits a phone, and loads CodeMirror only for the editor', async () => {
    const page = await h.open({ colorScheme: 'dark', width: 390 });
    const seen = watch(page);
    await page.getByRole('link', { name: 'Events' }).click();
    await page.getByRole('heading', { name: 'Events' }).waitFor();
    await page.getByRole('link', { name: 'Jobs' }).click();
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    expect(seen.requests.filter((u) => /codeMirror/i.test(u))).toEqual([]);

    await page.goto(`${h.local.url}/#/events/new`);
    await typeScript(page, ['def greet(name):', 'return "hi " + name  # a comment']);
    const content = page.locator('.cm-content');
    await expect.poll(() => content.locator('.tok-keyword').allTextContents()).toEqual(expect.arrayContaining(['def', 'return']));
    expect(await content.locator('.tok-string').allTextContents()).toContain('"hi "');
    expect(await content.locator('.tok-comment').allTextContents()).toContain('# a comment');
    expect(seen.requests.some((u) => /codeMirror/i.test(u))).toBe(true);
    // Tokens are coloured, on the console's dark background.
    // (The editor is in a shadow root; Playwright's CSS locators reach into it.)
    const css = (selector: string, prop: string) =>
      page
        .locator(selector)
        .first()
        .evaluate((el, p) => (globalThis as unknown as BrowserWindow).getComputedStyle(el).getPropertyValue(p), prop);
    const colours = {
      keyword: await css('.cm-content .tok-keyword', 'color'),
      text: await css('.cm-content', 'color'),
      bg: await css('.cm-editor', 'background-color'),
    };
    expect(colours.keyword).not.toBe(colours.text);
    expect(colours.bg).toBe('rgb(15, 18, 22)');
    expect(await page.evaluate(() => (globalThis as unknown as BrowserWindow).document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );

    // The search panel (Ctrl-F) opens inside the editor, under the same CSP.
    await content.click();
    await page.keyboard.press('ControlOrMeta+f');
    await page.locator('.cm-search input[name="search"]').waitFor();
    await page.keyboard.press('Escape');

    await page.getByLabel('Runtime').selectOption('bash');
    await page.locator('.code-editor[data-language="bash"]').waitFor();
    await content.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.press('Delete');
    await typeScript(page, ['if true; then echo "hi $USER"; fi # done']);
    await expect.poll(() => content.locator('.tok-keyword').allTextContents()).toEqual(expect.arrayContaining(['if', 'then', 'fi']));
    expect((await content.locator('.tok-string').allTextContents()).join('')).toContain('hi');
    expect(await content.locator('.tok-comment').allTextContents()).toContain('# done');
    expect(seen.problems).toEqual([]);
    await page.context().close();
  });

  it('runs an event on a server picked in the editor, over SSH', async () => {
    const { body: server } = await h.admin.post('/servers', {
      name: 'web1',
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      privateKey: Buffer.from(sshd.privateKeyPem).toString('base64'),
    });
    const page = await h.open();
    const seen = watch(page);
    await page.goto(`${h.local.url}/#/events/new`);
    await page.getByLabel('Name').fill('on my server');
    await page.getByLabel('Runtime').selectOption('bash');
    await typeScript(page, ['echo "hello from $(whoami)"']);
    await page.getByLabel('my servers (SSH)').check();
    await page.getByLabel('web1').check();
    await page.getByRole('button', { name: 'Save' }).click();
    const id = await savedId(page);
    expect((await h.admin.get(`/events/${id}`)).body.target).toEqual({ type: 'ssh', serverIds: [server.id] });

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const run = page.getByRole('region', { name: 'Run' });
    await run.locator('[data-status="completed"]').waitFor({ timeout: 30_000 });
    const line = run.getByRole('log', { name: 'Job log' }).locator('.log-line', { hasText: `hello from ${sshd.user}` });
    await expect.poll(() => line.locator('.server').textContent()).toBe('web1');
    expect(seen.problems).toEqual([]);
    await page.context().close();
  });

  it('saves an HTTP request event with its fields, runs it, and deletes it', async () => {
    const page = await h.open();
    const seen = watch(page);
    await page.goto(`${h.local.url}/#/events/new`);
    await page.getByLabel('Name').fill('ping');
    await page.getByLabel('Runtime').selectOption('http');
    await expect.poll(() => page.locator('.code-editor').count()).toBe(0);
    await page.getByLabel('Method').selectOption('GET');
    await page.getByLabel('URL').fill(`${h.local.url}/live`);
    await page.getByLabel('Expected status').fill('200');
    await page.getByLabel('Headers (JSON object)').fill('{"accept": "application/json"}');
    await page.getByRole('button', { name: 'Save' }).click();
    const id = await savedId(page);
    const { body: saved } = await h.admin.get(`/events/${id}`);
    expect(saved).toMatchObject({
      runtime: 'http',
      http: { method: 'GET', url: `${h.local.url}/live`, expectStatus: 200, headers: { accept: 'application/json' } },
    });
    expect(saved.script).toBeUndefined();

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const run = page.getByRole('region', { name: 'Run' });
    await run.locator('[data-status="completed"]').waitFor({ timeout: 30_000 });
    await expect.poll(() => run.getByRole('log', { name: 'Job log' }).innerText()).toContain('200');

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.getByRole('button', { name: 'Delete for good' }).click();
    await page.waitForURL(/#\/events$/);
    expect((await h.admin.get(`/events/${id}`)).status).toBe(404);
    await page.getByRole('heading', { name: 'Events' }).waitFor();
    expect(await page.locator(`tr[data-event-id="${id}"]`).count()).toBe(0);
    expect(seen.problems).toEqual([]);
    await page.context().close();
  });

  it('edits a variable as JSON and deletes it after a confirmation', async () => {
    await h.admin.put('/variables/LIMITS', { value: 'plain' });
    const page = await h.open();
    const seen = watch(page);
    await page.getByRole('link', { name: 'Variables' }).click();
    const row = page.locator('tr[data-variable-key="LIMITS"]');
    await row.getByRole('button', { name: 'Edit LIMITS' }).click();
    const form = page.getByRole('form', { name: 'Edit LIMITS' });
    await expect.poll(() => form.getByLabel('Value').inputValue()).toBe('plain');
    await form.getByLabel('Type').selectOption('json');
    await form.getByLabel('Value').fill('{"max": 3}');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => row.locator('td').nth(1).textContent()).toBe('{"max":3}');
    expect((await h.admin.get('/variables')).body.items).toContainEqual(expect.objectContaining({ key: 'LIMITS', value: { max: 3 } }));

    // Text that is not JSON is refused before it is sent, naming the field.
    const add = page.getByRole('form', { name: 'Add a variable' });
    await add.getByLabel('Key').fill('BROKEN');
    await add.getByLabel('Type').selectOption('json');
    await add.getByLabel('Value').fill('{nope');
    await add.getByRole('button', { name: 'Add' }).click();
    await expect.poll(() => add.getByRole('alert').textContent()).toBe('value: is not valid JSON');

    await row.getByRole('button', { name: 'Delete LIMITS' }).click();
    await row.getByRole('button', { name: 'Delete LIMITS for good' }).click();
    await expect.poll(() => row.count()).toBe(0);
    expect((await h.admin.get('/variables')).body.items.map((v: { key: string }) => v.key)).not.toContain('LIMITS');
    expect(seen.problems).toEqual([]);
    await page.context().close();
  });
});
