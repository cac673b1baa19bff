/**
 * `npm run screenshots`: starts a local control plane serving the built console, seeds a few events,
 * jobs (one completed, one failed, one with a long log), a schedule and a workflow run through the
 * REST API, and saves PNGs of the main pages (light, 1280×800) into docs/screenshots/.
 */
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { type ApiResponse, waitForJob } from '../test/e2e/harness';
import { startConsoleHarness } from '../test/console/browser';

/** What the seeding reads back: an id, and a run's status. */
interface Created {
  id: string;
  status: string;
}

const OUT = join(import.meta.dirname, '../docs/screenshots');

const h = await startConsoleHarness();
try {
  const ok = (res: ApiResponse<Created>, what: string): Created => {
    if (res.status >= 300) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const report = ok(
    await h.admin.post('/events', {
      name: 'nightly-report',
      runtime: 'python',
      script:
        'import json\nrows = [{"region": r, "orders": 100 + i * 17} for i, r in enumerate(["eu", "us", "apac"])]\nfor r in rows:\n    print(f"{r[\'region\']}: {r[\'orders\']} orders")\nprint(json.dumps({"total": sum(r["orders"] for r in rows)}))',
      timeoutSeconds: 300,
    }),
    'event',
  );
  const backup = ok(
    await h.admin.post('/events', {
      name: 'sync-backup',
      runtime: 'bash',
      script: 'echo "syncing /var/backups"\necho "rsync: connection refused" >&2\nexit 23',
    }),
    'event',
  );
  const reindex = ok(
    await h.admin.post('/events', {
      name: 'reindex-search',
      runtime: 'node',
      script: 'for (let i = 1; i <= 400; i++) console.log(`indexed batch ${i}/400: ${i * 250} documents`);\nconsole.log("reindex done");',
    }),
    'event',
  );
  const jobs = [
    ok(await h.admin.post(`/events/${report.id}/runs`, {}), 'run'),
    ok(await h.admin.post(`/events/${backup.id}/runs`, {}), 'run'),
    ok(await h.admin.post(`/events/${reindex.id}/runs`, {}), 'run'),
  ];
  for (const j of jobs) await waitForJob(h.admin, j.id, 60_000);
  const longLog = jobs[2]!;

  ok(
    await h.admin.post('/schedules', {
      name: 'nightly report',
      target: { eventId: report.id },
      cron: '0 2 * * *',
      timezone: 'Europe/Berlin',
    }),
    'schedule',
  );
  ok(await h.admin.post('/schedules', { name: 'hourly backup', target: { eventId: backup.id }, rate: '1 hours' }), 'schedule');
  const workflow = await h.admin.post<Created>('/workflows', {
    name: 'report then reindex',
    nodes: [
      { id: 'report', eventId: report.id },
      { id: 'reindex', eventId: reindex.id },
      { id: 'backup', eventId: backup.id },
    ],
    edges: [
      { from: 'report', to: 'reindex', when: 'success' },
      { from: 'report', to: 'backup', when: 'failure' },
    ],
  });
  let runId: string | undefined;
  if (workflow.status === 201) {
    const run = ok(await h.admin.post(`/workflows/${workflow.body.id}/runs`, {}), 'workflow run');
    runId = run.id;
    for (let i = 0; i < 600; i++) {
      const { body } = await h.admin.get<Created>(`/workflow-runs/${run.id}`);
      if (body.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  // Still running while the pages are shot: the jobs list shows one live.
  ok(
    await h.admin.post('/jobs', {
      runtime: 'python',
      script: 'import time\nfor i in range(120):\n    print(f"tick {i}", flush=True)\n    time.sleep(1)',
    }),
    'job',
  );
  await mkdir(OUT, { recursive: true });
  const page = await h.open({ width: 1280, colorScheme: 'light' });
  const shoot = async (name: string, hash: string, ready: (p: Page) => Promise<unknown>) => {
    await page.goto(`${h.local.url}/#${hash}`);
    await ready(page);
    await page.waitForLoadState('networkidle');
    await page.waitForTimeout(400);
    const path = join(OUT, `${name}.png`);
    await page.screenshot({ path, type: 'png' });
    console.log(`${path}: ${Math.round((await stat(path)).size / 1024)} KB`);
  };
  const heading = (name: string | RegExp) => (p: Page) => p.getByRole('heading', { level: 1, name }).waitFor();

  await shoot('jobs', '/jobs', async (p) => p.locator(`tr[data-job-id="${longLog.id}"]`).waitFor());
  await shoot('job-log', `/jobs/${longLog.id}`, async (p) => p.getByRole('log', { name: 'Job log' }).getByText('reindex done').waitFor());
  await shoot('event-editor', `/events/${report.id}`, heading(/nightly-report|event/i));
  if (runId) await shoot('workflow-run', `/workflow-runs/${runId}`, (p) => p.getByRole('heading', { level: 1 }).waitFor());
  await shoot('schedules', '/schedules', heading(/Schedules/));
  await shoot('stats', '/stats', async (p) => p.locator('[data-figure="success-rate"]').waitFor());
  await page.context().close();
} finally {
  await h.close();
}
