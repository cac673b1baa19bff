import Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import { createLauncherHarness } from './launcherHarness';
import { requestFactory } from './requestFactory';

const h = createLauncherHarness();
afterEach(() => h.cleanup());

describe('docker launcher: container hardening and output', () => {
  it('runs the job as 1000:1000 with no capabilities, no new privileges, a read-only root, no network and a writable /tmp', async () => {
    // Arrange
    const { fake, run } = h.setup();
    const job = h.job({
      runtime: 'bash',
      script: [
        'id -u; id -g',
        'grep CapEff /proc/self/status',
        'grep NoNewPrivs /proc/self/status',
        'touch /x 2>/dev/null && echo root-writable || echo root-read-only',
        'echo "net: $(ls /sys/class/net | tr "\\n" " ")"',
        'echo hi > /tmp/probe && cat /tmp/probe',
        'stat -c "script %u:%g %a" /workspace/in/script.sh',
        'echo "pid1: $(cat /proc/1/comm)"',
      ].join('\n'),
    });

    // Act
    const { exit } = await run(job);

    // Assert
    expect(fake.textOf(job.id, 'stdout')).toEqual([
      '1000',
      '1000',
      'CapEff:\t0000000000000000',
      'NoNewPrivs:\t1',
      'root-read-only',
      'net: lo ',
      'hi',
      'script 0:0 644',
      'pid1: docker-init',
    ]);
    expect(exit).toEqual({ exitCode: 0, oomKilled: false, timedOut: false, outputs: { files: {} } });
    expect(await h.containersLeft([job.id])).toEqual([]);
  });

  it('creates the container with the job limits, the labels and only an anonymous workspace volume', async () => {
    // Arrange
    const { launcher } = h.setup();
    const job = h.job({ runtime: 'python', script: 'print(1)', resources: { cpu: 0.25, memoryMb: 96, pids: 32 } });

    // Act
    const ref = await launcher.create(requestFactory(job));
    const info = await new Docker().getContainer(ref).inspect();
    await launcher.stop(ref);

    // Assert
    const hc = info.HostConfig;
    expect(hc.Memory).toBe(96 * 1024 * 1024);
    expect(hc.MemorySwap).toBe(96 * 1024 * 1024);
    expect(hc.NanoCpus).toBe(250_000_000);
    expect(hc.PidsLimit).toBe(32);
    expect(hc.Privileged).toBe(false);
    expect(hc.Binds ?? []).toEqual([]);
    expect(hc.NetworkMode).toBe('none');
    expect(info.Mounts.map((m) => [m.Type, m.Destination])).toEqual([['volume', '/workspace']]);
    expect(info.Config.Labels).toMatchObject({
      'cronium.managed': 'true',
      'cronium.job': job.id,
      'cronium.tenant': job.tenant,
    });
    expect(info.Config.Cmd?.slice(-3)).toEqual(['python3', '-u', '/workspace/in/script.py']);
    expect(info.State.Status).toBe('created');
  });

  it('runs a python job with the request env and the workspace variables', async () => {
    // Arrange
    const { fake, run } = h.setup();
    const job = h.job({
      runtime: 'python',
      script:
        'import os, sys\nprint(os.environ["GREETING"], sys.version_info[0])\nprint(os.environ["CRONIUM_WORKSPACE"], os.environ["PYTHONUNBUFFERED"])',
    });

    // Act
    const { exit } = await run(job, { env: { GREETING: 'hello', PYTHONUNBUFFERED: 'overridden?' } });

    // Assert
    expect(fake.textOf(job.id)).toEqual(['hello 3', '/workspace 1']);
    expect(exit.exitCode).toBe(0);
  });

  it('runs a node job and reports its output', async () => {
    // Arrange
    const { fake, run } = h.setup();
    const job = h.job({ runtime: 'node', script: 'console.log("node", 6 * 7); console.log(process.cwd());' });

    // Act
    const { exit } = await run(job);

    // Assert
    expect(fake.textOf(job.id)).toEqual(['node 42', '/workspace']);
    expect(exit.exitCode).toBe(0);
    expect(await h.containersLeft([job.id])).toEqual([]);
  });

  it('keeps stdout and stderr apart, each in order', async () => {
    // Arrange
    const { fake, run } = h.setup();
    const job = h.job({ runtime: 'bash', script: 'echo out1; echo err1 >&2; echo out2; echo err2 >&2' });

    // Act
    await run(job);

    // Assert
    expect(fake.textOf(job.id, 'stdout')).toEqual(['out1', 'out2']);
    expect(fake.textOf(job.id, 'stderr')).toEqual(['err1', 'err2']);
    for (const line of fake.linesOf(job.id)) expect(Date.parse(line.ts)).not.toBeNaN();
  });

  it('reports a non-zero exit code', async () => {
    // Arrange
    const { run } = h.setup();
    const job = h.job({ runtime: 'bash', script: 'echo failing; exit 42' });

    // Act
    const { exit } = await run(job);

    // Assert
    expect(exit).toEqual({ exitCode: 42, oomKilled: false, timedOut: false, outputs: { files: {} } });
    expect(await h.containersLeft([job.id])).toEqual([]);
  });

  it('cuts a very long line into 16 KiB pieces and keeps an unterminated last line', async () => {
    // Arrange
    const { fake, run } = h.setup();
    const job = h.job({ runtime: 'python', script: 'import sys\nprint("x" * 40000)\nsys.stdout.write("tail")' });

    // Act
    await run(job);

    // Assert
    expect(fake.textOf(job.id).map((l) => l.length)).toEqual([16384, 16384, 7232, 4]);
    expect(fake.textOf(job.id).at(-1)).toBe('tail');
  });
});
