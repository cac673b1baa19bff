import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { buildContainerSpec } from '../../../lambdas/adapters/docker/containerSpec';
import { DefaultImages } from '../../../lambdas/adapters/docker/runtimeImages';
import { buildWorkspaceArchive } from '../../../lambdas/adapters/docker/workspaceArchive';
import { ValidationError } from '../../../lambdas/core/errors';
import { jobFactory } from './jobFactory';

const options = { images: DefaultImages, tmpfsMb: 64, instance: 'default' };

describe('container spec', () => {
  it('hardens every container and mounts nothing from the host', () => {
    // Arrange
    const job = jobFactory({ runtime: 'node', script: '', resources: { cpu: 1.5, memoryMb: 256, pids: 100 } });

    // Act
    const spec = buildContainerSpec(job, options);

    // Assert
    expect(spec.User).toBe('1000:1000');
    expect(spec.Cmd).toEqual(['node', '/workspace/in/script.js']);
    expect(spec.HostConfig).toMatchObject({
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Privileged: false,
      Init: true,
      NetworkMode: 'none',
      Memory: 256 * 1024 * 1024,
      MemorySwap: 256 * 1024 * 1024,
      NanoCpus: 1_500_000_000,
      PidsLimit: 100,
      Tmpfs: { '/tmp': 'rw,nosuid,nodev,size=64m,mode=1777' },
      Mounts: [{ Type: 'volume', Source: '', Target: '/workspace' }],
    });
    expect(spec.HostConfig?.Binds).toBeUndefined();
  });

  it('passes the job env, with the launcher variables taking precedence', () => {
    // Arrange
    const job = jobFactory({ runtime: 'python', script: '', env: { A: '1', CRONIUM_WORKSPACE: '/elsewhere' } });

    // Act
    const spec = buildContainerSpec(job, options);

    // Assert
    expect(spec.Env).toEqual(['A=1', 'CRONIUM_WORKSPACE=/workspace', 'PYTHONUNBUFFERED=1']);
  });

  it('rejects an env name that cannot reach a process, naming the field', () => {
    // Arrange
    const job = jobFactory({ runtime: 'bash', script: '', env: { 'A=B': 'x' } });

    // Act
    const error = (() => {
      try {
        buildContainerSpec(job, options);
      } catch (e) {
        return e;
      }
    })();

    // Assert
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('env.A=B');
  });
});

describe('workspace archive', () => {
  it('is a tar that holds the script in in/, owned by 1000:1000 with mode 0644, and an empty out/', () => {
    // Arrange
    const job = jobFactory({ runtime: 'python', script: 'print("héllo")\n' });

    // Act
    const archive = buildWorkspaceArchive(job);
    const listing = execFileSync('tar', ['-tv', '--numeric-owner', '-f', '-'], { input: archive }).toString();
    const script = execFileSync('tar', ['-xO', '-f', '-', 'in/script.py'], { input: archive }).toString();

    // Assert
    const rows = listing.trim().split('\n').map((r) => r.split(/\s+/));
    expect(rows.map((r) => [r[0], r[1], r.at(-1)])).toEqual([
      ['drwxr-xr-x', '1000/1000', './'],
      ['drwxr-xr-x', '1000/1000', 'in/'],
      ['-rw-r--r--', '1000/1000', 'in/script.py'],
      ['drwxr-xr-x', '1000/1000', 'out/'],
    ]);
    expect(script).toBe(job.script);
  });
});
