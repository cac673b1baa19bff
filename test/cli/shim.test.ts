import { spawn } from 'node:child_process';
import { statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeCronium, type FakeCronium } from './helpers/fakeCronium';
import { emptyDir } from './helpers/runCli';

const shim = resolve(__dirname, '../../bin/cronium');

const exec = (file: string, args: string[], cwd: string, interruptAfter?: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(file, args, { cwd, env: { PATH: process.env.PATH ?? '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (interruptAfter !== undefined && stdout.includes(interruptAfter)) child.kill('SIGINT');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });

let server: FakeCronium | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('bin/cronium', () => {
  it('is an executable file (mode 0755)', () => {
    expect(statSync(shim).mode & 0o777).toBe(0o755);
  });

  it('runs through a symlink from another directory', async () => {
    // Arrange
    const dir = emptyDir();
    const link = join(dir, 'cronium');
    symlinkSync(shim, link);

    // Act
    const result = await exec(link, ['--help'], dir);

    // Assert
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: cronium');
  });

  it("runs a script end to end and the process exits with the job's exit code", async () => {
    // Arrange
    server = await startFakeCronium({
      plan: () => ({ lines: [{ stream: 'stdout', line: 'from the job' }], final: { status: 'failed', exitCode: 9 } }),
    });
    const dir = emptyDir();
    writeFileSync(join(dir, 'job.sh'), 'exit 9\n');

    // Act
    const started = Date.now();
    const result = await exec(shim, ['--url', server.url, '--api-key', server.apiKey, 'run', 'job.sh'], dir);

    // Assert
    expect(result.code).toBe(9);
    expect(result.stdout).toBe('from the job\n');
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('cancels the job and exits 130 when the process gets SIGINT', async () => {
    // Arrange
    server = await startFakeCronium({
      plan: () => ({ lines: [{ stream: 'stdout', line: 'working' }], final: { status: 'completed' }, hang: true }),
    });
    const dir = emptyDir();
    writeFileSync(join(dir, 'job.sh'), 'sleep 100\n');

    // Act
    const result = await exec(shim, ['--url', server.url, '--api-key', server.apiKey, 'run', 'job.sh'], dir, 'working');

    // Assert
    expect(result.code).toBe(130);
    expect(server.requestsTo('POST', '/jobs/job-1/cancel')).toHaveLength(1);
  });
});
