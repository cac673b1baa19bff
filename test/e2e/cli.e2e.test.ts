import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness';
import { startHarness } from './harness';

const cronium = (args: string[], env: Record<string, string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile('bin/cronium', args, { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });

describe('cronium run against a real control plane', () => {
  let h: Harness;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    h = await startHarness();
    dir = await mkdtemp(join(tmpdir(), 'cronium-cli-'));
    env = { CRONIUM_URL: h.local.url, CRONIUM_API_KEY: h.local.adminKey };
  });
  afterAll(async () => {
    await h?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('streams a script’s output from inside a hardened container and exits with its code', async () => {
    const file = join(dir, 'probe.sh');
    await writeFile(
      file,
      [
        'echo "uid=$(id -u)"',
        'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status',
        'touch /probe 2>/dev/null || echo "root=read-only"',
        'echo "interfaces=$(ls /sys/class/net | tr "\\n" " ")"',
        'echo "to stderr" >&2',
        'exit 7',
      ].join('\n'),
    );

    const { code, stdout, stderr } = await cronium(['run', file], env);

    expect(code).toBe(7);
    expect(stdout.split('\n')).toEqual(['uid=1000', 'CapEff:\t0000000000000000', 'NoNewPrivs:\t1', 'root=read-only', 'interfaces=lo ', '']);
    expect(stderr).toContain('to stderr');
    expect(stderr).toMatch(/failed/);
  });

  it('runs a Python file picked by its extension and exits 0 when it completes', async () => {
    const file = join(dir, 'hello.py');
    await writeFile(file, 'import os\nprint("hello from", os.getuid())\n');

    const { code, stdout } = await cronium(['run', file], env);

    expect(code).toBe(0);
    expect(stdout).toBe('hello from 1000\n');
  });
});
