import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startHarness, type Harness } from '../e2e/harness';
import { emptyDir, runCli } from './helpers/runCli';

interface ShownSchedule {
  id: string;
  enabled: boolean;
  nextFireAt?: string;
  nextFires: { utc: string; local: string }[];
  lastFires: { fireAt: string; status: string; jobId?: string; workflowRunId?: string }[];
}

// Against a real local control plane: the schedule commands drive REST, and a fire runs a real job (containers).
describe('cronium schedules', () => {
  let h: Harness;
  let cwd: string;
  let eventId: string;
  const cli = (...argv: string[]) => runCli(['--url', h.local.url, '--api-key', h.local.adminKey, ...argv], { cwd });
  const shown = async (id: string) => JSON.parse((await cli('schedules', 'show', id, '--json')).stdout) as ShownSchedule;

  beforeAll(async () => {
    // The tick runs every second here, so a fire a few seconds ahead is seen in time.
    h = await startHarness({ CRONIUM_REAP_INTERVAL_MS: '1000' });
    cwd = emptyDir();
    eventId = (await h.admin.post('/events', { name: 'tick', runtime: 'bash', script: 'echo tick\n' })).body.id as string;
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it('creates a cron schedule in a time zone, lists it and shows its next 5 fires in the zone and in UTC', async () => {
    // Act
    const created = await cli(
      'schedules',
      'create',
      '--name',
      'nightly',
      '--event',
      eventId,
      '--cron',
      '30 2 * * *',
      '--timezone',
      'Asia/Kolkata',
    );
    const id = created.stdout.trim();
    const listed = await cli('schedules', 'list');
    const show = await cli('schedules', 'show', id);

    // Assert
    expect(created.code).toBe(0);
    expect(created.stderr).toMatch(/^created schedule \S+ \(nightly\), next fire \d{4}-\d\d-\d\dT21:00:00\.000Z\n$/);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+nightly\\s+enabled\\s+event ${eventId}\\s+cron 30 2 \\* \\* \\*\\s+Asia/Kolkata`));
    expect(show.stdout).toContain(`  target    event ${eventId}\n`);
    expect(show.stdout).toContain('  when      cron 30 2 * * * in Asia/Kolkata\n');
    const fires = show.stdout.split('\n').filter((l) => /^ {4}\d{4}-/.test(l));
    expect(fires).toHaveLength(5);
    for (const line of fires) expect(line).toMatch(/^ {4}\d{4}-\d\d-\d\dT02:30:00\+05:30 {2}\(\d{4}-\d\d-\d\dT21:00:00\.000Z\)$/);
    expect(show.stdout).toMatch(/ {2}last fires\n {4}none\n$/);
  });

  it('pauses a schedule (no next fire) and resumes it (next fire planned again)', async () => {
    // Arrange
    const id = (await cli('schedules', 'create', '--name', 'hourly', '--event', eventId, '--rate', '1 hours')).stdout.trim();

    // Act
    const paused = await cli('schedules', 'pause', id);
    const whilePaused = await shown(id);
    const pausedText = (await cli('schedules', 'show', id)).stdout;
    const resumed = await cli('schedules', 'resume', id, '--json');
    const afterResume = await shown(id);

    // Assert
    expect(paused).toMatchObject({ code: 0, stdout: '', stderr: `paused schedule ${id}\n` });
    expect(whilePaused).toMatchObject({ enabled: false, nextFires: [] });
    expect(whilePaused.nextFireAt).toBeUndefined();
    expect(pausedText).toContain(`${id}  hourly  (paused)\n`);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ id, enabled: true });
    expect(resumed.stderr).toMatch(new RegExp(`^resumed schedule ${id}, next fire \\S+Z\\n$`));
    expect(afterResume.enabled).toBe(true);
    expect(afterResume.nextFires).toHaveLength(5);
  });

  it('deletes a schedule, after which show exits 1 with the API’s not-found error', async () => {
    // Arrange
    const id = (await cli('schedules', 'create', '--name', 'gone', '--event', eventId, '--rate', '5 minutes')).stdout.trim();

    // Act
    const deleted = await cli('schedules', 'delete', id);
    const after = await cli('schedules', 'show', id);

    // Assert
    expect(deleted).toMatchObject({ code: 0, stderr: `deleted schedule ${id}\n` });
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/not found/);
    expect((await cli('schedules', 'list')).stdout).not.toContain(id);
  });

  it('refuses a bad command line with exit 2, and shows the API’s 400 naming the wrong cron field with exit 1', async () => {
    // Act
    const noTarget = await cli('schedules', 'create', '--name', 'x', '--rate', '5 minutes');
    const twoTargets = await cli('schedules', 'create', '--name', 'x', '--event', eventId, '--workflow', 'wf', '--rate', '5 minutes');
    const badInput = await cli('schedules', 'create', '--name', 'x', '--event', eventId, '--rate', '5 minutes', '--input', '{ no');
    const badCron = await cli('schedules', 'create', '--name', 'x', '--event', eventId, '--cron', '61 * * * *');

    // Assert
    expect(noTarget).toMatchObject({ code: 2, stderr: 'error: give exactly one of --event and --workflow\n' });
    expect(twoTargets.code).toBe(2);
    expect(badInput).toMatchObject({ code: 2, stderr: 'error: --input is not valid JSON\n' });
    expect(badCron.code).toBe(1);
    expect(badCron.stderr).toMatch(/minute/);
  });

  it('runs a workflow at a time: show lists the fire with its workflow run, which completes', async () => {
    // Arrange
    const wf = await h.admin.post('/workflows', { name: 'one-step', nodes: [{ id: 'only', eventId }], edges: [] });
    const at = new Date(Math.ceil((Date.now() + 3000) / 1000) * 1000).toISOString();

    // Act
    const created = await cli(
      'schedules',
      'create',
      '--name',
      'soon',
      '--workflow',
      wf.body.id as string,
      '--at',
      at,
      '--input',
      '{"n":1}',
    );
    const id = created.stdout.trim();
    const fire = await eventually(
      async () => (await shown(id)).lastFires.find((f) => f.status === 'submitted'),
      20_000,
      'the fire to be submitted',
    );
    const run = await eventually(
      async () => {
        const r = await h.admin.get(`/workflow-runs/${fire.workflowRunId ?? ''}`);
        return r.body.status === 'running' ? undefined : (r.body as { status: string; input: unknown });
      },
      30_000,
      'the workflow run to end',
    );
    const show = await cli('schedules', 'show', id);

    // Assert
    expect(created.code).toBe(0);
    expect(fire.fireAt).toBe(at);
    expect(run).toMatchObject({ status: 'completed', input: { n: 1 } });
    expect(show.stdout).toContain(`  target    workflow ${wf.body.id as string}\n`);
    expect(show.stdout).toContain(`    ${at}  submitted  workflow run ${fire.workflowRunId ?? ''}\n`);
  }, 60_000);
});
