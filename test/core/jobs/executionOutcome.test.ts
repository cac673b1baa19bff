import { describe, expect, it } from 'vitest';
import { endingFor, outcomeOf } from '../../../lambdas/core/jobs/executionOutcome';

const end = { exitCode: 0, timedOut: false };

describe('how an execution ended (one rule for one run and for each server)', () => {
  it('puts cancelled before timeout, timeout before a diagnosed failure, and that before the exit code', () => {
    const failure = { code: 'http_error' as const, message: '503' };
    expect(outcomeOf({ ...end, cancelled: true, timedOut: true }).status).toBe('cancelled');
    expect(outcomeOf({ ...end, exitCode: 137, timedOut: true, failure }).status).toBe('timeout');
    expect(outcomeOf({ ...end, failure })).toEqual({ status: 'failed', error: failure });
    expect(outcomeOf({ ...end, exitCode: 2 })).toEqual({
      status: 'failed',
      error: { code: 'exit_nonzero', message: 'exited with code 2' },
    });
    expect(outcomeOf(end)).toEqual({ status: 'completed' });
  });

  it('names the memory limit of an out-of-memory kill when it is known', () => {
    expect(outcomeOf({ ...end, exitCode: 137, oomKilled: true }, 512).error).toEqual({
      code: 'oom',
      message: 'killed: out of memory (limit of 512 MiB)',
    });
  });

  it('ends a job with the exit code, except one killed at its deadline', () => {
    expect(endingFor({ exitCode: 3, oomKilled: false, timedOut: false })).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(endingFor({ exitCode: 137, oomKilled: false, timedOut: true })).not.toHaveProperty('exitCode');
  });
});
