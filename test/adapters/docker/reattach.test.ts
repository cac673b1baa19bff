import { afterEach, describe, expect, it } from 'vitest';
import { ContainerGoneError, InvalidResumeTokenError } from '../../../lambdas/adapters/docker';
import { killContainer, waitForContainerExit } from './dockerProbe';
import { createFakeExecutionEvents } from './fakeExecutionEvents';
import { createLauncherHarness } from './launcherHarness';
import { requestFactory } from './requestFactory';

const h = createLauncherHarness();
afterEach(() => h.cleanup());

const numbers = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/**
 * Starts `script` with a first launcher, waits until it reported `lines` lines, then closes that
 * launcher (it stops following; the container goes on), as a control plane that died would.
 */
const startThenAbandon = async (script: string, lines = 1) => {
  const fakeA = createFakeExecutionEvents();
  const a = h.launcher({ events: fakeA.events });
  const job = h.job({ runtime: 'bash', script });
  const ref = await a.create(requestFactory(job));
  await a.start(ref, job);
  await fakeA.waitFor(() => fakeA.linesOf(job.id).length >= lines, 10_000, 'first lines from A');
  await a.close();
  return { fakeA, job, ref };
};

describe('docker launcher: reattach', () => {
  it('a second launcher resumes from the last token with no gap and no duplicate', async () => {
    // Arrange: lines on both streams, stdout ones written in two pieces, over ~3 s
    const N = 30;
    // A slow core, so that close() meets an output call in flight
    const fakeA = createFakeExecutionEvents({ outputDelayMs: 150 });
    const a = h.launcher({ events: fakeA.events });
    const job = h.job({
      runtime: 'bash',
      script: `for i in $(seq 1 ${N}); do if (( i % 3 == 0 )); then echo $i >&2; else printf "%d" $i; sleep 0.03; echo; fi; sleep 0.07; done`,
    });
    const ref = await a.create(requestFactory(job));
    await a.start(ref, job);
    await fakeA.waitFor(() => fakeA.linesOf(job.id).length >= 8, 10_000, 'first lines from A');

    // Act
    await a.close();
    const callsOfA = fakeA.outputs.length;
    const token = fakeA.lastTokenOf(job.id);
    const fakeB = createFakeExecutionEvents();
    const b = h.launcher({ events: fakeB.events });
    const listed = (await b.list()).find((e) => e.key.jobId === job.id);
    await b.reattach(listed!.ref, job, token);
    const exit = await fakeB.waitForExit(job.id, 15_000);

    // Assert
    expect(listed).toEqual({ key: { tenant: job.tenant, jobId: job.id }, ref, running: true });
    const fromA = fakeA.textOf(job.id).map(Number);
    const fromB = fakeB.textOf(job.id).map(Number);
    expect(fromA.length).toBeLessThan(N);
    expect(fromB.length).toBeGreaterThan(0);
    expect([...fromA, ...fromB].sort((x, y) => x - y)).toEqual(numbers(N));
    for (const fake of [fakeA, fakeB]) {
      const stderr = fake.textOf(job.id, 'stderr').map(Number);
      expect(stderr.every((i) => i % 3 === 0)).toBe(true);
      expect(stderr).toEqual([...stderr].sort((x, y) => x - y));
    }
    expect(fakeA.outputs.length).toBe(callsOfA);
    expect(fakeA.exits).toEqual([]);
    expect(exit.report).toEqual({ exitCode: 0, oomKilled: false, timedOut: false, outputs: { files: {} } });
    expect(await h.containersLeft([job.id])).toEqual([]);
  });

  it('reports the rest of the output and the exit code of a container that exited while nobody followed it', async () => {
    // Arrange
    const { fakeA, job, ref } = await startThenAbandon('for i in 1 2 3 4 5 6; do echo $i; sleep 0.15; done; printf 7; exit 3', 2);
    await waitForContainerExit(ref);

    // Act
    const fakeB = createFakeExecutionEvents();
    const b = h.launcher({ events: fakeB.events });
    const listed = (await b.list()).find((e) => e.key.jobId === job.id);
    await b.reattach(ref, job, fakeA.lastTokenOf(job.id));
    const exit = await fakeB.waitForExit(job.id, 10_000);

    // Assert
    expect(listed?.running).toBe(false);
    expect([...fakeA.textOf(job.id), ...fakeB.textOf(job.id)].map(Number)).toEqual(numbers(7));
    expect(exit.report).toEqual({ exitCode: 3, oomKilled: false, timedOut: false, outputs: { files: {} } });
    expect(await h.containersLeft([job.id])).toEqual([]);
  });

  it('kills a reattached job whose deadline passed while nobody followed it', async () => {
    // Arrange
    const { fakeA, job, ref } = await startThenAbandon('echo up; sleep 30');

    // Act
    const fakeB = createFakeExecutionEvents();
    const b = h.launcher({ events: fakeB.events });
    await b.reattach(ref, { ...job, deadlineAt: Date.now() - 1 }, fakeA.lastTokenOf(job.id));
    const exit = await fakeB.waitForExit(job.id, 10_000);

    // Assert
    expect(exit.report).toEqual({ exitCode: 137, oomKilled: false, timedOut: true, outputs: { files: {} } });
    expect(fakeB.textOf(job.id)).toEqual([]);
    expect(await h.containersLeft([job.id])).toEqual([]);
  });

  it('reports a timeout for a container SIGKILLed past its deadline while nobody followed it', async () => {
    // Arrange: the launcher that killed it at its deadline went away before reporting
    const { fakeA, job, ref } = await startThenAbandon('echo up; sleep 30');
    const deadlineAt = Date.now();
    await killContainer(ref);

    // Act
    const fakeB = createFakeExecutionEvents();
    const b = h.launcher({ events: fakeB.events });
    await b.reattach(ref, { ...job, deadlineAt }, fakeA.lastTokenOf(job.id));
    const exit = await fakeB.waitForExit(job.id, 10_000);

    // Assert
    expect(exit.report).toEqual({ exitCode: 137, oomKilled: false, timedOut: true, outputs: { files: {} } });
    expect(await h.containersLeft([job.id])).toEqual([]);
  });

  it('rejects a resume token it did not write, and a container that is gone', async () => {
    // Arrange
    const { launcher } = h.setup();
    const job = h.job({ runtime: 'bash', script: 'true' });
    const ref = await launcher.create(requestFactory(job));

    // Act
    const badToken = await launcher.reattach(ref, job, 'not-a-token').catch((e: unknown) => e);
    await launcher.stop(ref);
    const gone = await launcher.reattach(ref, job).catch((e: unknown) => e);

    // Assert
    expect(badToken).toBeInstanceOf(InvalidResumeTokenError);
    expect(gone).toBeInstanceOf(ContainerGoneError);
  });
});
