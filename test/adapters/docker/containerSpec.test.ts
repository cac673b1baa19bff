import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { thrownBy } from '../../helpers/thrownBy';
import { buildContainerSpec } from '../../../lambdas/adapters/docker/containerSpec';
import { DefaultImages } from '../../../lambdas/adapters/docker/runtimeImages';
import { buildWorkspaceArchive } from '../../../lambdas/adapters/docker/workspaceArchive';
import { ValidationError } from '../../../lambdas/core/errors';
import { jobFactory } from './jobFactory';

const options = { images: DefaultImages, tmpfsMb: 64, diskMb: 64, instance: 'default' };

describe('container spec', () => {
  it('hardens every container and mounts nothing from the host', () => {
    // Arrange
    const job = jobFactory({ runtime: 'node', script: '', resources: { cpu: 1.5, memoryMb: 256, pids: 100 } });

    // Act
    const spec = buildContainerSpec({ job, runtime: 'node', env: {} }, options);

    // Assert
    expect(spec.User).toBe('1000:1000');
    // The runtime's command runs under the out/ hand-off wrapper (outHandOff.ts).
    expect(spec.Cmd?.slice(0, 2)).toEqual(['sh', '-c']);
    expect(spec.Cmd?.slice(-2)).toEqual(['node', '/workspace/in/script.js']);
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
      Tmpfs: {
        '/tmp': 'rw,nosuid,nodev,size=64m,mode=1777',
        '/workspace/out': 'rw,nosuid,nodev,size=64m,nr_inodes=4096,uid=1000,gid=1000,mode=0700',
      },
      Mounts: [{ Type: 'volume', Source: '', Target: '/workspace', VolumeOptions: { NoCopy: true } }],
    });
    expect(spec.HostConfig?.Binds).toBeUndefined();
  });

  it("sizes out/ by the job's resources.diskMb and caps file sizes just above both tmpfs sizes", () => {
    // Arrange
    const job = jobFactory({ runtime: 'bash', script: '', resources: { cpu: 0.5, memoryMb: 512, pids: 64, diskMb: 200 } });

    // Act
    const spec = buildContainerSpec({ job, runtime: 'bash', env: {} }, options);

    // Assert
    expect(spec.HostConfig?.Tmpfs?.['/workspace/out']).toContain('size=200m,nr_inodes=12800,');
    expect(spec.HostConfig?.Ulimits).toEqual([{ Name: 'fsize', Soft: 201 * 1024 * 1024, Hard: 201 * 1024 * 1024 }]);
  });

  it('passes the resolved env of the request, not the job’s references, with the launcher variables winning', () => {
    // Arrange
    const job = jobFactory({ runtime: 'python', script: '', env: { A: { fromVariable: 'a' } } });
    const env = { A: '1', CRONIUM_WORKSPACE: '/elsewhere', BASH_ENV: '/tmp/mine.sh' };

    // Act
    const spec = buildContainerSpec({ job, runtime: 'python', env }, options);

    // Assert
    expect(spec.Env).toEqual([
      'A=1',
      'CRONIUM_WORKSPACE=/workspace',
      'BASH_ENV=/opt/cronium/cronium.sh',
      'PYTHONUNBUFFERED=1',
      'PYTHONPATH=/opt/cronium/python',
    ]);
  });

  it('rejects an env name that cannot reach a process, naming the field but not the value', () => {
    // Arrange
    const job = jobFactory({ runtime: 'bash', script: '' });

    // Act
    const error = thrownBy(() => buildContainerSpec({ job, runtime: 'bash', env: { 'A=B': 'secret-value' } }, options));

    // Assert
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe('env.A=B');
    expect((error as Error).message).not.toContain('secret-value');
  });
});

describe('workspace archive', () => {
  it('is a tar of every workspace file owned by root (dirs 0755, files 0644) and an empty out/ owned by 1000 with mode 0700', () => {
    // Arrange
    const files = { 'in/script.py': 'print("héllo")\n', 'in/input.json': '{"a":1}\n', 'in/extra/notes.txt': 'n' };

    // Act
    const archive = buildWorkspaceArchive(files);
    const listing = execFileSync('tar', ['-tv', '--numeric-owner', '-f', '-'], { input: archive }).toString();
    const script = execFileSync('tar', ['-xO', '-f', '-', 'in/script.py'], { input: archive }).toString();

    // Assert
    const rows = listing
      .trim()
      .split('\n')
      .map((r) => r.split(/\s+/));
    expect(rows.map((r) => [r[0], r[1], r.at(-1)])).toEqual([
      ['drwxr-xr-x', '0/0', 'in/'],
      ['drwxr-xr-x', '0/0', 'in/extra/'],
      ['-rw-r--r--', '0/0', 'in/extra/notes.txt'],
      ['-rw-r--r--', '0/0', 'in/input.json'],
      ['-rw-r--r--', '0/0', 'in/script.py'],
      ['drwx------', '1000/1000', 'out/'],
      ['drwxr-xr-x', '0/0', '.cronium/'],
      ['-rw-------', '1000/1000', '.cronium/out.tar'],
      ['-rw-------', '1000/1000', '.cronium/usage'],
    ]);
    expect(script).toBe(files['in/script.py']);
  });

  it.each([['/etc/passwd'], ['in/../../etc'], ['./in/x'], ['in//x'], ['out/output.json'], ['.cronium/out.tar'], [`in/${'x'.repeat(100)}`]])(
    'refuses the workspace path %s',
    (path) => {
      // Act
      const error = thrownBy(() => buildWorkspaceArchive({ [path]: 'x' }));

      // Assert
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).field).toBe(`workspace.${path}`);
    },
  );
});
