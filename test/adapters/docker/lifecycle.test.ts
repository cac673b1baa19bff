import Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecutionFollowError } from '../../../lambdas/adapters/docker';
import { managedContainersOf } from './dockerProbe';
import { createLauncherHarness } from './launcherHarness';
import { requestFactory } from './requestFactory';

const h = createLauncherHarness();
afterEach(() => h.cleanup());
const docker = new Docker();

describe('docker launcher: lifecycle', () => {
  it('reports a line as soon as it is written, while the container still runs', async () => {
    // Arrange
    const { fake, launcher } = h.setup();
    const job = h.job({ runtime: 'bash', script: 'echo first; sleep 2; echo second' });
    const ref = await launcher.create(requestFactory(job));

    // Act
    await launcher.start(ref, job);
    await fake.waitFor(() => fake.textOf(job.id).includes('first'), 10_000, 'first line');
    const whileFirstSeen = { exited: fake.exitOf(job.id), running: (await docker.getContainer(ref).inspect()).State.Running };
    const exit = await fake.waitForExit(job.id);

    // Assert
    expect(whileFirstSeen).toEqual({ exited: undefined, running: true });
    expect(fake.textOf(job.id)).toEqual(['first', 'second']);
    const firstAt = fake.outputs.find((c) => c.lines.some((l) => l.line === 'first'))!.at;
    expect(exit.at - firstAt).toBeGreaterThan(1_500);
  });

  it('reports oomKilled when the job allocates far beyond its memory limit', async () => {
    // Arrange
    const { run } = h.setup();
    const job = h.job({
      runtime: 'python',
      resources: { cpu: 1, memoryMb: 64, pids: 64 },
      script: 'print("allocating", flush=True)\nx = b"x" * (1024 * 1024 * 1024)\nprint("survived")',
    });

    // Act
    const { exit } = await run(job);

    // Assert
    expect(exit.oomKilled).toBe(true);
    expect(exit.exitCode).not.toBe(0);
    expect(exit.timedOut).toBe(false);
    expect(await h.containersLeft([job.id])).toEqual([]);
  });

  it('does not run a job whose deadline already passed and reports it timed out', async () => {
    // Arrange
    const { fake, launcher } = h.setup();
    const job = h.job({ runtime: 'bash', script: 'echo ran; sleep 30' });
    const ref = await launcher.create(requestFactory(job));

    // Act
    await launcher.start(ref, { ...job, deadlineAt: Date.now() - 1_000 });
    const exit = await fake.waitForExit(job.id);

    // Assert: it never ran, so there is no out/ to speak of
    expect(exit.report).toEqual({ exitCode: 137, oomKilled: false, timedOut: true });
    expect(fake.textOf(job.id)).toEqual([]);
    expect(await h.containersLeft([job.id])).toEqual([]);
  });

  it('kills a job when its deadline passes and reports it timed out', async () => {
    // Arrange
    const { fake, launcher } = h.setup();
    const job = h.job({ runtime: 'bash', script: 'echo started; sleep 30' });
    const ref = await launcher.create(requestFactory(job));
    const startedAt = Date.now();

    // Act
    await launcher.start(ref, { ...job, deadlineAt: startedAt + 1_000 });
    const exit = await fake.waitForExit(job.id, 10_000);

    // Assert
    expect(exit.report).toEqual({ exitCode: 137, oomKilled: false, timedOut: true, outputs: { files: {} } });
    expect(exit.at - startedAt).toBeGreaterThanOrEqual(1_000);
    expect(exit.at - startedAt).toBeLessThan(5_000);
    expect(fake.textOf(job.id)).toEqual(['started']);
    expect(await h.containersLeft([job.id])).toEqual([]);
  });

  it('stop() ends a running job, which is reported as exited and removed', async () => {
    // Arrange
    const { fake, launcher } = h.setup();
    const job = h.job({ runtime: 'bash', script: 'echo up; sleep 30' });
    const ref = await launcher.create(requestFactory(job));
    await launcher.start(ref, job);
    await fake.waitFor(() => fake.textOf(job.id).includes('up'), 10_000, 'job up');

    // Act
    await launcher.stop(ref);
    const exit = await fake.waitForExit(job.id, 10_000);

    // Assert
    expect(exit.report).toEqual({ exitCode: 137, oomKilled: false, timedOut: false, outputs: { files: {} } });
    expect(await h.containersLeft([job.id])).toEqual([]);
  });

  it('stop() removes a container that was created but never started', async () => {
    // Arrange
    const { fake, launcher } = h.setup();
    const job = h.job({ runtime: 'bash', script: 'echo never' });
    const ref = await launcher.create(requestFactory(job));

    // Act
    await launcher.stop(ref);

    // Assert
    expect(await managedContainersOf([job.id])).toEqual([]);
    expect(fake.outputs).toEqual([]);
    expect(fake.exits).toEqual([]);
  });

  it('stop() of an unknown container is not an error', async () => {
    // Arrange
    const { launcher } = h.setup();

    // Act / Assert
    await expect(launcher.stop('0'.repeat(64))).resolves.toBeUndefined();
  });

  it('delivers output one call at a time and in order, batching lines written meanwhile', async () => {
    // Arrange: a slow core, a fast writer
    const { fake, run } = h.setup({ outputDelayMs: 40 });
    const job = h.job({ runtime: 'bash', script: 'for i in $(seq 1 300); do echo $i; done' });

    // Act
    await run(job);

    // Assert
    expect(fake.textOf(job.id)).toEqual(Array.from({ length: 300 }, (_, i) => String(i + 1)));
    expect(fake.maxInFlight).toBe(1);
    expect(fake.outputs.length).toBeLessThan(300);
    const lastOutputAt = fake.outputs.at(-1)!.at;
    expect(fake.exitOf(job.id)!.at).toBeGreaterThanOrEqual(lastOutputAt);
  });

  it('retries a failing events.output and still delivers every line once', async () => {
    // Arrange
    const { fake, run } = h.setup({ failOutputTimes: 2 });
    const job = h.job({ runtime: 'bash', script: 'echo a; echo b; echo c' });

    // Act
    await run(job);

    // Assert
    expect(fake.rejected).toBe(2);
    expect(fake.textOf(job.id)).toEqual(['a', 'b', 'c']);
    expect(h.errors).toEqual([]);
  });

  it('logs an ExecutionFollowError and keeps the container when the exit cannot be recorded', async () => {
    // Arrange
    const { fake, launcher } = h.setup({ failExitedTimes: Infinity });
    const job = h.job({ runtime: 'bash', script: 'echo done' });
    const ref = await launcher.create(requestFactory(job));

    // Act
    await launcher.start(ref, job);
    const error = await fake.waitFor(() => h.errors.find((e) => e.jobId === job.id), 10_000, 'logged error');

    // Assert
    expect(error).toBeInstanceOf(ExecutionFollowError);
    expect(error.phase).toBe('exited');
    expect(fake.textOf(job.id)).toEqual(['done']);
    expect(await managedContainersOf([job.id])).toEqual([ref]);
  });

  it('list() returns the containers of its instance with their job key and whether they run', async () => {
    // Arrange
    const { fake, launcher } = h.setup();
    const other = h.launcher({ events: fake.events, instance: 'another-control-plane' });
    const created = h.job({ runtime: 'bash', script: 'echo idle' });
    const running = h.job({ runtime: 'bash', script: 'echo busy; sleep 30' });
    const foreign = h.job({ runtime: 'bash', script: 'echo not mine' });
    await other.create(requestFactory(foreign));
    const createdRef = await launcher.create(requestFactory(created));
    const runningRef = await launcher.create(requestFactory(running));
    await launcher.start(runningRef, running);
    await fake.waitFor(() => fake.textOf(running.id).includes('busy'), 10_000, 'busy');

    // Act
    const listed = (await launcher.list()).filter((e) => [created.id, running.id, foreign.id].includes(e.key.jobId));

    // Assert
    expect(listed).toHaveLength(2);
    expect(listed).toContainEqual({ key: { tenant: created.tenant, jobId: created.id }, ref: createdRef, running: false });
    expect(listed).toContainEqual({ key: { tenant: running.tenant, jobId: running.id }, ref: runningRef, running: true });
  });
});
