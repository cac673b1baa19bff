import { describe, expect, it } from 'vitest';
import { aggregateExecutions } from '../../../lambdas/core/jobs/aggregateExecutions';
import type { ServerExitReport } from '../../../lambdas/core/ports';

const ok = (name: string, output?: unknown): ServerExitReport => ({
  serverId: `id-${name}`,
  serverName: name,
  exitCode: 0,
  timedOut: false,
  ...(output !== undefined ? { outputs: { files: { 'output.json': JSON.stringify(output) } } } : {}),
});

describe('aggregateExecutions', () => {
  it('completes a job only when every server completed, keying outputs by server name', () => {
    const { ending } = aggregateExecutions([ok('web1', 1), ok('web2', 2)]);

    expect(ending.status).toBe('completed');
    expect(ending.results?.output).toEqual({ web1: 1, web2: 2 });
    expect(ending.executions?.map((e) => e.status)).toEqual(['completed', 'completed']);
  });

  it('fails the job when one server fails, naming it in the error', () => {
    const { ending } = aggregateExecutions([
      ok('web1'),
      { ...ok('web2'), exitCode: 3 },
      { ...ok('web3'), exitCode: 255, failure: { code: 'ssh_unreachable', message: 'web3:22 refused' } },
    ]);

    expect(ending.status).toBe('failed');
    expect(ending.error?.code).toBe('exit_nonzero');
    expect(ending.error?.message).toBe('2 of 3 servers did not complete: web2: exited with code 3; web3: web3:22 refused');
  });

  it('times out when servers only timed out, and keeps a single server’s output and exit code as the job’s', () => {
    expect(aggregateExecutions([ok('a'), { ...ok('b'), timedOut: true, exitCode: 137 }]).ending.status).toBe('timeout');
    const single = aggregateExecutions([{ ...ok('solo', { x: 1 }), exitCode: 0 }]).ending;
    expect(single).toMatchObject({ status: 'completed', exitCode: 0, results: { output: { x: 1 } } });
  });
});
