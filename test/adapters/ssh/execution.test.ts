import { readdirSync, statSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshExecutor, SshLaunchError, type SshExecutorWithStats, type SshServer } from '../../../lambdas/adapters/ssh';
import { startSshd, type SshdHandle } from '../../helpers/sshd';
import { execution, exists, marker, outputCollector, remoteProcesses, serverOf, workspaceFrom } from './sshHarness';

let sshd: SshdHandle;

/** The test user's workspaces in /tmp now. */
const workspaceDirs = () =>
  readdirSync('/tmp').filter((n) => /^cronium\.\w{10}$/.test(n) && statSync(`/tmp/${n}`, { throwIfNoEntry: false })?.uid === sshd.uid);
let ssh: SshExecutorWithStats;
let server: SshServer;

beforeAll(async () => {
  sshd = await startSshd();
  server = serverOf(sshd);
  ssh = createSshExecutor({ helpersDir: '/nonexistent' });
});

afterAll(async () => {
  await ssh?.close();
  await sshd?.stop();
});

describe('ssh execution', () => {
  it.each([
    ['bash', 'echo "hello from $0"; echo oops >&2; exit 3', 3],
    ['python', 'import sys\nprint("hello from python", sys.version_info[0])\nprint("oops", file=sys.stderr)\nsys.exit(3)', 3],
    ['node', 'console.log("hello from node", typeof process.version); console.error("oops"); process.exit(3);', 3],
  ] as const)('runs a %s script and reports its output and exit code', async (runtime, script, code) => {
    const out = outputCollector();

    const report = await ssh.run(execution(server, runtime, script, { onOutput: out.onOutput }));

    expect(report).toMatchObject({ exitCode: code, timedOut: false, oomKilled: false });
    expect(report.failure).toBeUndefined();
    expect(out.text('stdout')).toContain(`hello from`);
    expect(out.text('stderr')).toBe('oops');
  });

  it('streams output live: the first line arrives while the script still runs', async () => {
    const out = outputCollector();
    const started = Date.now();

    await ssh.run(execution(server, 'python', 'import time\nprint("first")\ntime.sleep(0.8)\nprint("second")', { onOutput: out.onOutput }));
    const ended = Date.now();

    expect(out.lines.map((l) => l.line)).toEqual(['first', 'second']);
    expect(out.firstAt! - started).toBeLessThan(ended - started - 500);
  });

  it('delivers lines in order, one onOutput call at a time, even when delivery is slow', async () => {
    const out = outputCollector({ delayMs: 15 });

    await ssh.run(execution(server, 'bash', 'for i in $(seq 1 300); do echo "line $i"; done', { onOutput: out.onOutput }));

    expect(out.lines.map((l) => l.line)).toEqual(Array.from({ length: 300 }, (_, i) => `line ${i + 1}`));
    expect(out.overlapped).toBe(false);
  });

  it('cuts a line over 16 KiB into pieces', async () => {
    const out = outputCollector();
    await ssh.run(execution(server, 'python', 'print("y" * 40000)', { onOutput: out.onOutput }));
    expect(out.lines.map((l) => l.line.length)).toEqual([16384, 16384, 40000 - 32768]);
  });

  it('passes env to the script without putting it on any command line', async () => {
    const secret = 'pa55-w0rd with spaces';
    const out = outputCollector();
    const script = [
      `[ "$API_TOKEN" = '${secret}' ] && echo env-ok`,
      'ps -eww -o args',
      'stat -c "mode %a" "$CRONIUM_WORKSPACE" "$CRONIUM_WORKSPACE/.cronium/env"',
    ].join('\n');

    const report = await ssh.run(execution(server, 'bash', script, { env: { API_TOKEN: secret }, onOutput: out.onOutput }));

    expect(report.exitCode).toBe(0);
    const text = out.text();
    expect(text).toContain('env-ok');
    expect(text).toContain('ps -eww -o args'); // the listing did run
    expect(text).not.toContain(secret);
    expect(text).toContain('mode 700\nmode 600');
  });

  it('gives the script in/ to read and reads out/ back', async () => {
    const script = [
      'echo "ws=$CRONIUM_WORKSPACE"',
      'cat in/input.json',
      'echo \'{"answer":42}\' > out/output.json',
      'echo true > out/condition.json',
      'echo \'{"k":"v"}\' > out/variables.json',
      'echo ignored > out/other.txt',
      'touch in/new 2>/dev/null || echo in-is-read-only',
    ].join('\n');
    const out = outputCollector();

    const report = await ssh.run(execution(server, 'bash', script, { onOutput: out.onOutput }));

    expect(out.text()).toContain('{"n":1}');
    expect(out.text()).toContain('in-is-read-only');
    expect(report.outputs).toEqual({
      files: { 'output.json': '{"answer":42}\n', 'condition.json': 'true\n', 'variables.json': '{"k":"v"}\n' },
    });
    expect(exists(workspaceFrom(out.text()))).toBe(false);
  });

  it('reports overLimit, and no files, when out/ holds more than 1 MiB', async () => {
    const script = 'echo 1 > out/output.json; head -c 1100000 /dev/zero > out/big.bin';
    const report = await ssh.run(execution(server, 'bash', script));
    expect(report.outputs).toEqual({ files: {}, overLimit: true });
  });

  it('fails with launch_failed, naming the interpreter and server, when it is not installed', async () => {
    const out = outputCollector();
    const report = await ssh.run(execution(server, 'python', 'print(1)', { env: { PATH: '/nonexistent' }, onOutput: out.onOutput }));

    expect(report.failure?.code).toBe('launch_failed');
    expect(report.failure?.message).toContain('python3 is not installed on 127.0.0.1');
    expect(report.failure?.message).toContain(server.id);
    expect(out.lines).toEqual([]);
  });

  it('treats exit status 199 from the script itself as an ordinary exit', async () => {
    const report = await ssh.run(execution(server, 'bash', 'exit 199'));
    expect(report).toMatchObject({ exitCode: 199 });
    expect(report.failure).toBeUndefined();
  });

  it('removes the workspace when the upload fails half-way', async () => {
    const before = new Set(workspaceDirs());
    // `in/a` is both a directory (for in/a/b) and a file: the upload fails after mktemp.
    const workspace = { 'in/script.sh': 'echo must-not-run', 'in/a/b': 'x', 'in/a': 'y' };

    const err = await ssh.run(execution(server, 'bash', '', { workspace })).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(SshLaunchError);
    expect((err as SshLaunchError).code).toBe('launch_failed');
    expect((err as SshLaunchError).step).toBe('upload');
    // Other test files' runs come and go meanwhile; this run's directory must not stay.
    const deadline = Date.now() + 3_000;
    while (workspaceDirs().some((d) => !before.has(d)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(workspaceDirs().filter((d) => !before.has(d))).toEqual([]);
  });

  it('refuses an env name a shell cannot export before connecting', async () => {
    await expect(ssh.run(execution(server, 'bash', 'true', { env: { 'NO-DASHES': '1' } }))).rejects.toMatchObject({
      code: 'invalid_input',
    });
  });

  it('kills what the script left running and removes its workspace when it exits', async () => {
    const m = marker();
    const out = outputCollector();

    const report = await ssh.run(
      execution(server, 'bash', `echo "ws=$CRONIUM_WORKSPACE"; sleep ${m} & echo bg-started`, { onOutput: out.onOutput }),
    );

    expect(report.exitCode).toBe(0);
    expect(out.text()).toContain('bg-started');
    expect(remoteProcesses(sshd.user, m)).toEqual([]);
    expect(exists(workspaceFrom(out.text()))).toBe(false);
  });
});
