import { describe, expect, it } from 'vitest';
import { buildWorkspace, readRunResults, WorkspaceLimits } from '../../../lambdas/core/workspace/workspaceContract';
import { jobFactory } from '../../helpers/factories';

describe('the workspace contract', () => {
  it('puts the script, the input, the run context and the variables in in/', () => {
    const job = jobFactory({ runtime: 'python', script: 'print(1)', input: { n: 2 }, eventId: 'ev1', eventName: 'nightly' });

    const files = buildWorkspace(job, { colour: 'blue' });

    expect(Object.keys(files).sort()).toEqual(['in/context.json', 'in/input.json', 'in/script.py', 'in/variables.json']);
    expect(files['in/script.py']).toBe('print(1)');
    expect(JSON.parse(files['in/input.json']!)).toEqual({ n: 2 });
    expect(JSON.parse(files['in/variables.json']!)).toEqual({ colour: 'blue' });
    expect(JSON.parse(files['in/context.json']!)).toMatchObject({
      jobId: job.id,
      tenant: job.tenant,
      eventId: 'ev1',
      eventName: 'nightly',
      attempt: 1,
      workflowRunId: null,
    });
  });

  it('gives a run without input null as its input, and an http job no workspace', () => {
    expect(JSON.parse(buildWorkspace(jobFactory({ runtime: 'bash', script: 'true' }), {})['in/input.json']!)).toBeNull();
    expect(buildWorkspace(jobFactory({ runtime: 'http', script: undefined }), {})).toEqual({});
  });

  it('accepts output, condition and variables a script left in out/', () => {
    const results = readRunResults({
      files: { 'output.json': '{"rows":3}', 'condition.json': 'true', 'variables.json': '{"last_run":"today"}' },
    });

    expect(results).toEqual({ output: { rows: 3 }, condition: true, variables: { last_run: 'today' }, problems: [] });
  });

  it('says why results were rejected: invalid JSON, a non-boolean condition, bad keys, too much output', () => {
    const bad = readRunResults({
      files: { 'output.json': '{nope', 'condition.json': '"yes"', 'variables.json': '{"ok":1,"bad key":2}' },
    });
    const big = readRunResults({ files: {}, overLimit: true });

    expect(bad.output).toBeUndefined();
    expect(bad.condition).toBeUndefined();
    expect(bad.variables).toEqual({ ok: 1 });
    expect(bad.problems).toEqual([
      'out/output.json is not valid JSON',
      'out/condition.json must hold true or false',
      'variable keys not accepted: bad key',
    ]);
    expect(big.problems[0]).toContain(String(WorkspaceLimits.maxOutBytes));
  });
});
