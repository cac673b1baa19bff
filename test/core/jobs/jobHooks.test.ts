import { describe, expect, it } from 'vitest';
import { runHooks, type JobHook } from '../../../lambdas/core/jobs/jobHook';
import type { Job } from '../../../lambdas/core';

const job = { tenant: 't1', id: 'j1', status: 'completed' } as Job;

describe('runHooks', () => {
  it('calls every hook with the job and the status it left', async () => {
    const seen: string[] = [];
    const hook = (name: string): JobHook => ({ name, changed: async (j, from) => void seen.push(`${name}:${j.id}:${from}`) });
    await runHooks([hook('a'), hook('b')], { info() {}, warn() {}, error() {} })(job, 'running');
    expect(seen.sort()).toEqual(['a:j1:running', 'b:j1:running']);
  });

  it('logs a failing hook by name and still runs the others', async () => {
    const warned: object[] = [];
    let ranAfter = false;
    const failing: JobHook = { name: 'broken', changed: async () => Promise.reject(new Error('boom')) };
    const other: JobHook = { name: 'fine', changed: async () => void (ranAfter = true) };
    await runHooks([failing, other], { info() {}, warn: (o) => void warned.push(o), error() {} })(job, undefined);
    expect(ranAfter).toBe(true);
    expect(warned).toEqual([expect.objectContaining({ hook: 'broken', jobId: 'j1', tenant: 't1' })]);
  });
});
