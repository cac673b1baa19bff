import Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes } from '../../../lambdas/core/errors';
import { createLauncherHarness } from './launcherHarness';
import { requestFactory } from './requestFactory';

const h = createLauncherHarness();
afterEach(() => h.cleanup());
const docker = new Docker();

const resources = (diskMb: number) => ({ cpu: 0.5, memoryMb: 256, pids: 64, diskMb });

/** Creates, starts and runs a job to its exit; also returns the name of its workspace volume. */
const runKeepingVolume = async (job: Parameters<typeof requestFactory>[0]) => {
  const { fake, launcher } = h.setup();
  const ref = await launcher.create(requestFactory(job));
  const volume = (await docker.getContainer(ref).inspect()).Mounts.find((m) => m.Destination === '/workspace')!.Name!;
  await launcher.start(ref, job);
  const exit = await fake.waitForExit(job.id);
  return { exit: exit.report, volume, text: () => fake.textOf(job.id).join('\n') };
};

const volumeExists = async (name: string) => (await docker.listVolumes({ filters: { name: [name] } })).Volumes.some((v) => v.Name === name);

describe('docker launcher: workspace size limit', () => {
  it('stops a script writing past resources.diskMb into out/ with ENOSPC, fails it disk_full, and removes its volume', async () => {
    // Arrange
    const job = h.job({
      runtime: 'bash',
      resources: resources(8),
      script:
        'echo \'"kept"\' > /workspace/out/output.json\nhead -c 20000000 /dev/zero > /workspace/out/big.bin || echo "write failed"\ndf -k /workspace/out | tail -1\nexit 1',
    });

    // Act
    const { exit, volume, text } = await runKeepingVolume(job);

    // Assert
    expect(text()).toContain('No space left on device');
    expect(text()).toContain('write failed');
    expect(exit.exitCode).toBe(1);
    expect(exit.failure).toEqual({
      code: ErrorCodes.diskFull,
      message: 'the workspace is full: out/ reached its limit of 8 MiB (resources.diskMb)',
    });
    // out/ held more than the 1 MiB read back, so its results are not taken.
    expect(exit.outputs).toEqual({ files: {}, overLimit: true });
    expect(await h.containersLeft([job.id])).toEqual([]);
    expect(await volumeExists(volume)).toBe(false);
  });

  it('fails a flood of empty files in out/ disk_full once its inodes run out', async () => {
    // Arrange
    const job = h.job({
      runtime: 'bash',
      resources: resources(1),
      script: 'cd /workspace/out; for i in $(seq 1 200); do : > "f$i" || { echo "stopped at $i"; break; }; done',
    });

    // Act
    const { exit, text } = await runKeepingVolume(job);

    // Assert
    expect(text()).toMatch(/stopped at \d+/);
    expect(exit.failure?.code).toBe(ErrorCodes.diskFull);
    expect(exit.failure?.message).toContain('file count limit');
  });

  it('lets the script write nowhere else on the volume, and only a bounded file where out/ is handed over', async () => {
    // Arrange
    const job = h.job({
      runtime: 'bash',
      resources: resources(4),
      script: [
        'for p in /workspace/big /workspace/in/big /workspace/.cronium/big; do head -c 1000 /dev/zero > "$p" 2>/dev/null && echo "wrote $p"; done',
        // The hand-off file is the job user's (the wrapper runs as it): its size is capped by fsize.
        '(head -c 100000000 /dev/zero > /workspace/.cronium/out.tar) 2>/dev/null; echo "status $?"',
        'stat -c %s /workspace/.cronium/out.tar',
      ].join('\n'),
    });

    // Act
    const { exit, text } = await runKeepingVolume(job);

    // Assert
    expect(text()).not.toContain('wrote');
    // 153 = 128 + SIGXFSZ: the write stopped at the cap, max(diskMb, /tmp's 64) + 1 MiB.
    expect(text()).toContain('status 153');
    expect(text()).toContain(String(65 * 1024 * 1024));
    expect(exit.exitCode).toBe(0);
    expect(exit.failure).toBeUndefined();
  });

  it('reads back the out/ of a script that stayed under the limit, with no failure', async () => {
    // Arrange
    const job = h.job({
      runtime: 'python',
      resources: resources(8),
      script: [
        'import cronium',
        'with open("/workspace/out/scratch.bin", "wb") as f: f.write(b"x" * 900_000)',
        'import os; os.remove("/workspace/out/scratch.bin")',
        'with open("/workspace/out/scratch.bin", "wb") as f: f.write(b"x" * 6_000_000)',
        'os.remove("/workspace/out/scratch.bin")',
        'cronium.output({"ok": True})',
        'cronium.condition(True)',
      ].join('\n'),
    });

    // Act
    const { exit, volume } = await runKeepingVolume(job);

    // Assert
    expect(exit).toEqual({
      exitCode: 0,
      oomKilled: false,
      timedOut: false,
      outputs: { files: { 'output.json': '{"ok":true}\n', 'condition.json': 'true\n' } },
    });
    expect(await h.containersLeft([job.id])).toEqual([]);
    expect(await volumeExists(volume)).toBe(false);
  });
});
