import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness';
import { startHarness, waitForJob } from './harness';

/**
 * Each script uses every helper: it reads its input and context, reads a variable an earlier job
 * set, sets one for the next job, and leaves an output and a condition.
 */
const scripts = {
  bash: [
    'n=$(cronium_input n)',
    'job=$(cronium_context -r jobId)',
    'seen=$(cronium getVariable seen_bash)',
    'cronium setVariable seen_bash "$(( ${seen:-0} + n ))"',
    'cronium_output "{\\"double\\": $(( n * 2 )), \\"job\\": \\"$job\\", \\"seen\\": ${seen:-null}}"',
    'cronium condition true',
  ].join('\n'),
  python: [
    'import cronium',
    'n = cronium.input()["n"]',
    'seen = cronium.getVariable("seen_python")',
    'cronium.setVariable("seen_python", (seen or 0) + n)',
    'cronium.output({"double": n * 2, "job": cronium.context()["jobId"], "seen": seen})',
    'cronium.condition(True)',
  ].join('\n'),
  node: [
    "const cronium = require('cronium');",
    'const { n } = cronium.input();',
    "const seen = cronium.getVariable('seen_node');",
    "cronium.setVariable('seen_node', (seen ?? 0) + n);",
    'cronium.output({ double: n * 2, job: cronium.context().jobId, seen });',
    'cronium.condition(true);',
  ].join('\n'),
};

describe('the runtime helpers inside containers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  it.each(Object.entries(scripts))(
    '%s: input flows to output, and a variable set by one job is read by the next',
    async (runtime, script) => {
      const first = await waitForJob(h.admin, (await h.admin.post('/jobs', { runtime, script, input: { n: 5 } })).body.id);
      const second = await waitForJob(h.admin, (await h.admin.post('/jobs', { runtime, script, input: { n: 2 } })).body.id);

      expect(first).toMatchObject({ status: 'completed', output: { double: 10, job: first.id, seen: null }, condition: true });
      expect(second).toMatchObject({ status: 'completed', output: { double: 4, job: second.id, seen: 5 }, condition: true });
      const variables = (await h.admin.get('/variables')).body.items;
      expect(variables).toContainEqual(expect.objectContaining({ key: `seen_${runtime}`, value: 7 }));
    },
  );

  it('lets a Node.js script import the helper as an ES module', async () => {
    const script = "import cronium from 'cronium';\ncronium.output({ esm: true, input: cronium.input() });\n";

    const job = await waitForJob(h.admin, (await h.admin.post('/jobs', { runtime: 'node', script, input: 'x' })).body.id);

    expect(job).toMatchObject({ status: 'completed', output: { esm: true, input: 'x' } });
  });

  it('says clearly when a script hands output something that is not JSON, and the job fails', async () => {
    const script = 'import cronium\ncronium.output({1, 2})\n';

    const job = await waitForJob(h.admin, (await h.admin.post('/jobs', { runtime: 'python', script })).body.id);
    const lines = (await h.admin.get(`/jobs/${job.id}/logs`)).body.items.map((l: any) => l.line).join('\n');

    expect(job.status).toBe('failed');
    expect(lines).toMatch(/not JSON-serialisable/);
  });
});
