import { describe, expect, it } from 'vitest';
import { createSshLauncher, SshUnreachableError } from '../../../lambdas/adapters/ssh';
import type { SshExecution, SshExecutor } from '../../../lambdas/adapters/ssh';
import type { ExecutionRequest, ExitReport, JobKey, RawLine } from '../../../lambdas/core';
import { jobFactory } from '../../helpers/factories';

const server = (name: string) => ({ id: `id-${name}`, name, host: '127.0.0.1', port: 22, username: 'u', privateKey: 'k' });

/** Records what the launcher reports, and resolves when the exit arrives. */
const recordingEvents = () => {
  const lines: RawLine[] = [];
  let resolveExit!: (r: ExitReport) => void;
  const exit = new Promise<ExitReport>((r) => (resolveExit = r));
  return {
    lines,
    exit,
    events: {
      output: async (_k: JobKey, l: RawLine[]) => void lines.push(...l),
      exited: async (_k: JobKey, r: ExitReport) => resolveExit(r),
    },
  };
};

/** An executor whose runs do what the test says; nothing else is called. */
const fakeExecutor = (run: SshExecutor['run']): SshExecutor => ({
  run,
  test: async () => ({ fingerprint: 'f', latencyMs: 1, remoteUser: 'u' }),
  close: async () => undefined,
});

const requestFor = (names: string[]): ExecutionRequest => ({
  job: jobFactory({ runtime: 'bash', script: 'echo hi', status: 'running' }),
  env: {},
  workspace: { 'in/script.sh': 'echo hi' },
  servers: names.map(server),
});

describe('createSshLauncher', () => {
  it('runs every server at once and reports one exit listing how each ended, lines tagged with their server', async () => {
    const executor = fakeExecutor(async (e: SshExecution) => {
      await e.onOutput([{ stream: 'stdout', ts: new Date().toISOString(), line: `hi from ${e.server.id}` }]);
      if (e.server.id === 'id-b') throw new SshUnreachableError('id-b', '127.0.0.1', 22, 'connection refused');
      return { exitCode: 0, oomKilled: false, timedOut: false };
    });
    const rec = recordingEvents();
    const launcher = createSshLauncher({ executor, events: rec.events });
    const request = requestFor(['a', 'b']);

    const ref = await launcher.create(request);
    await launcher.start(ref, request.job);
    const exit = await rec.exit;

    expect(rec.lines.map((l) => [l.server, l.line]).sort()).toEqual([
      ['a', 'hi from id-a'],
      ['b', 'hi from id-b'],
    ]);
    expect(exit.executions?.map((e) => [e.serverName, e.exitCode, e.failure?.code])).toEqual([
      ['a', 0, undefined],
      ['b', 255, 'ssh_unreachable'],
    ]);
    expect(await launcher.list()).toEqual([]);
  });

  it('aborts every server’s run on stop and marks them cancelled', async () => {
    const executor = fakeExecutor(
      (e) =>
        new Promise((resolve) => e.signal?.addEventListener('abort', () => resolve({ exitCode: 143, oomKilled: false, timedOut: false }))),
    );
    const rec = recordingEvents();
    const launcher = createSshLauncher({ executor, events: rec.events });
    const request = requestFor(['a', 'b']);
    const ref = await launcher.create(request);
    await launcher.start(ref, request.job);

    await launcher.stop(ref);
    const exit = await rec.exit;

    expect(exit.executions?.map((e) => e.cancelled)).toEqual([true, true]);
  });

  it('refuses a job without servers, and reports a re-attached job as lost (a session dies with its process)', async () => {
    const rec = recordingEvents();
    const launcher = createSshLauncher({ executor: fakeExecutor(() => Promise.reject(new Error('not called'))), events: rec.events });

    await expect(launcher.create(requestFor([]))).rejects.toThrow(/at least one server/);
    await launcher.reattach('ssh:x', requestFor(['a']).job);
    expect((await rec.exit).failure?.code).toBe('lost');
  });

  it('drain() resolves only once every started run ended and its exit was reported', async () => {
    let finish!: () => void;
    const executor = fakeExecutor(
      () => new Promise((resolve) => (finish = () => resolve({ exitCode: 0, oomKilled: false, timedOut: false }))),
    );
    const reported: ExitReport[] = [];
    const launcher = createSshLauncher({
      executor,
      events: { output: async () => undefined, exited: async (_k: JobKey, r: ExitReport) => void reported.push(r) },
    });
    await launcher.drain();
    const request = requestFor(['a']);
    const ref = await launcher.create(request);
    await launcher.start(ref, request.job);

    let drained = false;
    const draining = launcher.drain().then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(drained).toBe(false);
    finish();
    await draining;

    expect(reported).toHaveLength(1);
  });
});
