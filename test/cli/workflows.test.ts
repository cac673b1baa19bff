import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../e2e/harness';
import { emptyDir, runCli } from './helpers/runCli';

// Against a real local control plane (real containers): the workflow commands drive REST and the WebSocket.
describe('cronium workflows', () => {
  let h: Harness;
  let cwd: string;
  let events: Record<string, string>;
  const cli = (...argv: string[]) => runCli(['--url', h.local.url, '--api-key', h.local.adminKey, ...argv], { cwd });

  beforeAll(async () => {
    h = await startHarness({ CRONIUM_REAP_INTERVAL_MS: '1000' });
    cwd = emptyDir();
    const make = async (name: string, script: string) =>
      (await h.admin.post('/events', { name, runtime: 'bash', script })).body.id as string;
    events = {
      hello: await make('hello', 'echo "hello from $(cronium_context -r workflowStep)"; cronium_output \'"hi"\'\n'),
      shout: await make('shout', 'echo "got $(cronium_input)"\n'),
      fail: await make('fail', 'echo "broken"; exit 4\n'),
    };
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  const file = (name: string, body: unknown) => {
    writeFileSync(join(cwd, name), JSON.stringify(body));
    return name;
  };

  it('creates a workflow from a file, runs it with --follow showing each step and its lines, and exits 0', async () => {
    const created = await cli(
      'workflows',
      'create',
      file('ok.json', {
        name: 'greet',
        nodes: [
          { id: 'first', eventId: events['hello'] },
          { id: 'second', eventId: events['shout'] },
        ],
        edges: [{ from: 'first', to: 'second', when: 'success' }],
      }),
    );
    expect(created.code).toBe(0);
    const id = created.stdout.trim();

    const run = await cli('workflows', 'run', id, '--follow');

    expect(run.code).toBe(0);
    expect(run.stdout).toContain('[first] hello from first\n');
    expect(run.stdout).toContain('[second] got "hi"\n');
    expect(run.stdout.indexOf('[first]')).toBeLessThan(run.stdout.indexOf('[second]'));
    expect(run.stderr).toMatch(/step first: running, job \S+-first-1\n/);
    expect(run.stderr).toMatch(/step second: completed, job \S+-second-1\n/);
    expect(run.stderr).toMatch(/workflow run \S+ completed\n$/);

    const listed = await cli('workflows', 'list');
    expect(listed.stdout).toContain(id);
    const runs = await cli('workflows', 'runs', id, '--json');
    const [only] = JSON.parse(runs.stdout) as { id: string; status: string }[];
    expect(only).toMatchObject({ status: 'completed' });
    const shown = await cli('workflows', 'show-run', only!.id);
    expect(shown.stdout).toContain('second           completed');
    expect(shown.stdout).toContain('output "hi"');
  }, 60_000);

  it('exits 1 when the run failed, and retry runs the failed step again', async () => {
    const created = await cli(
      'workflows',
      'create',
      file('bad.json', {
        name: 'breaks',
        nodes: [
          { id: 'ok', eventId: events['hello'] },
          { id: 'bad', eventId: events['fail'] },
        ],
        edges: [{ from: 'ok', to: 'bad', when: 'success' }],
      }),
    );
    const run = await cli('workflows', 'run', created.stdout.trim(), '--follow');
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('[bad] broken\n');
    const runId = /workflow run (\S+) failed: step bad ended failed/.exec(run.stderr)?.[1];
    expect(runId).toBeDefined();

    const retried = await cli('workflows', 'retry', runId!, '--json');
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.stdout)).toMatchObject({ status: 'running', attempt: 2 });
    const followed = await cli('workflows', 'show-run', runId!, '--follow');
    expect(followed.code).toBe(1);
    expect(followed.stderr).toContain(`job ${runId}-bad-2`);
  }, 60_000);

  it('refuses a workflow file that is not JSON, and names a bad edge from the API', async () => {
    writeFileSync(join(cwd, 'broken.json'), '{ not json');
    expect((await cli('workflows', 'create', 'broken.json')).code).toBe(2);
    const res = await cli(
      'workflows',
      'create',
      file('cycle.json', { name: 'x', nodes: [{ id: 'a', eventId: events['hello'] }], edges: [{ from: 'a', to: 'a', when: 'success' }] }),
    );
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('edges[0]');
  });
});
