import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeCronium, type FakeCronium, type FakeCroniumOptions } from './helpers/fakeCronium';
import { emptyDir, runCli, type RunCliOptions } from './helpers/runCli';

let server: FakeCronium | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const withScript = (name: string, content: string): string => {
  const dir = emptyDir();
  writeFileSync(join(dir, name), content);
  return dir;
};

const runAgainst = async (opts: FakeCroniumOptions, argv: string[], cli: RunCliOptions = {}) => {
  server = await startFakeCronium(opts);
  const cwd = cli.cwd ?? withScript('job.sh', 'echo hello\n');
  return runCli(['--url', server.url, '--api-key', server.apiKey, ...argv], { ...cli, cwd });
};

const waitFor = async (check: () => boolean, timeoutMs = 5000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

describe('cronium run', () => {
  it('streams stdout and stderr lines in order, prefixes system lines, and exits with the exit code of a failed job', async () => {
    // Arrange
    const plan = {
      lines: [
        { stream: 'stdout' as const, line: 'out 1' },
        { stream: 'stderr' as const, line: 'err 1' },
        { stream: 'system' as const, line: 'container started' },
        { stream: 'stdout' as const, line: 'out 2' },
      ],
      final: { status: 'failed' as const, exitCode: 3, error: { code: 'exit_nonzero', message: 'script exited with code 3' } },
      durationMs: 1234,
    };

    // Act
    const result = await runAgainst({ plan: () => plan }, ['run', 'job.sh']);

    // Assert
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('out 1\nout 2\n');
    expect(result.stderr).toContain('err 1\n[cronium] container started\n');
    expect(result.stderr).toContain('job job-1 failed in 1.2s, exit 3: script exited with code 3\n');
  });

  it('submits the file with its inferred runtime and prints a one-line summary of a completed job', async () => {
    // Arrange
    const cwd = withScript('hello.py', 'print("hi")\n');

    // Act
    const result = await runAgainst(
      { plan: () => ({ lines: [{ stream: 'stdout', line: 'hi' }], final: { status: 'completed', exitCode: 0 }, durationMs: 250 }) },
      ['run', 'hello.py'],
      { cwd },
    );

    // Assert
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('hi\n');
    expect(server?.requestsTo('POST', '/jobs')[0]?.body).toEqual({ runtime: 'python', script: 'print("hi")\n' });
    expect(result.stderr).toMatch(/^job job-1 queued\n/);
    expect(result.stderr).toContain('job job-1 completed in 250ms, exit 0\n');
  });

  it('fetches the missing tail over REST when the socket delivered fewer lines than lastSeq', async () => {
    // Arrange
    const lines = ['a', 'b', 'c', 'd', 'e'].map((line) => ({ stream: 'stdout' as const, line }));

    // Act
    const result = await runAgainst({ plan: () => ({ lines, final: { status: 'completed', exitCode: 0 }, socketDelivers: 2 }) }, [
      'run',
      'job.sh',
    ]);

    // Assert
    expect(result.stdout).toBe('a\nb\nc\nd\ne\n');
    expect(result.code).toBe(0);
    expect(server?.requestsTo('GET', '/jobs/job-1/logs')[0]?.query.after).toBe('2');
  });

  it('falls back to polling REST status and logs when the WebSocket is refused', async () => {
    // Arrange
    const lines = ['one', 'two', 'three'].map((line) => ({ stream: 'stdout' as const, line }));

    // Act
    const result = await runAgainst(
      { websocket: false, plan: () => ({ lines, final: { status: 'completed', exitCode: 7 }, finishAfterMs: 80 }) },
      ['run', 'job.sh'],
    );

    // Assert
    expect(result.stdout).toBe('one\ntwo\nthree\n');
    expect(result.code).toBe(7);
    expect(server?.requestsTo('GET', '/jobs/job-1').length).toBeGreaterThan(1);
  });

  it('cancels the job and exits 130 on Ctrl-C while following', async () => {
    // Arrange
    const plan = { lines: [{ stream: 'stdout' as const, line: 'working' }], final: { status: 'completed' as const }, hang: true };

    // Act
    const result = await runAgainst({ plan: () => plan }, ['run', 'job.sh'], {
      onStart: ({ interrupt, stdout }) => {
        void waitFor(() => stdout().includes('working')).then(interrupt);
      },
    });

    // Assert
    expect(result.code).toBe(130);
    expect(server?.requestsTo('POST', '/jobs/job-1/cancel')).toHaveLength(1);
    expect(result.stderr).toContain('cancelling job job-1');
  });

  it('exits 124 when the job timed out without an exit code', async () => {
    // Act
    const result = await runAgainst(
      { plan: () => ({ lines: [], final: { status: 'timeout', error: { code: 'timeout', message: 'timed out after 1s' } } }) },
      ['run', 'job.sh'],
    );

    // Assert
    expect(result.code).toBe(124);
    expect(result.stderr).toContain('job job-1 timed out in 1.2s: timed out after 1s');
  });

  it('exits 1 when the job was cancelled without an exit code', async () => {
    // Act
    const result = await runAgainst(
      { plan: () => ({ lines: [], final: { status: 'cancelled', error: { code: 'cancelled', message: 'cancelled by user' } } }) },
      ['run', 'job.sh'],
    );

    // Assert
    expect(result.code).toBe(1);
  });

  it('sends the env, timeout and resource flags in the job request', async () => {
    // Act
    await runAgainst({}, [
      'run',
      'job.sh',
      '--env',
      'A=1',
      '-e',
      'B=x=y',
      '--timeout',
      '30',
      '--memory',
      '256',
      '--cpus',
      '0.25',
      '--no-follow',
    ]);

    // Assert
    expect(server?.requestsTo('POST', '/jobs')[0]?.body).toEqual({
      runtime: 'bash',
      script: 'echo hello\n',
      env: { A: '1', B: 'x=y' },
      timeoutSeconds: 30,
      resources: { cpu: 0.25, memoryMb: 256 },
    });
  });

  it('prints only the job id and returns at once with --no-follow', async () => {
    // Act
    const result = await runAgainst({}, ['run', 'job.sh', '--no-follow']);

    // Assert
    expect(result).toMatchObject({ code: 0, stdout: 'job-1\n' });
    expect(server?.requestsTo('GET', '/jobs/job-1/logs')).toHaveLength(0);
  });

  it('rejects a malformed --env pair as a usage error without calling the API', async () => {
    // Act
    const result = await runAgainst({}, ['run', 'job.sh', '--env', 'NOEQUALS']);

    // Assert
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('NAME=VALUE');
    expect(server?.requests).toHaveLength(0);
  });

  it('reports a script file that does not exist', async () => {
    // Act
    const result = await runAgainst({}, ['run', 'missing.sh']);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: cannot read missing.sh: no such file\n');
  });
});
