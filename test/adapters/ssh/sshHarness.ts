import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScriptRuntime } from '../../../lambdas/core/model';
import type { RawLine } from '../../../lambdas/core/ports/runtime';
import type { SshExecution, SshServer } from '../../../lambdas/adapters/ssh';
import type { SshdHandle } from '../../helpers/sshd';

/** The server record of a test sshd. */
export const serverOf = (sshd: SshdHandle, over: Partial<SshServer> = {}): SshServer => ({
  id: `srv-${sshd.port}`,
  host: sshd.host,
  port: sshd.port,
  username: sshd.user,
  privateKey: sshd.privateKeyPem,
  ...over,
});

export const ScriptFiles = { bash: 'in/script.sh', python: 'in/script.py', node: 'in/script.js' } as const;

/** Collects what onOutput receives, checking calls never overlap. */
export const outputCollector = (o: { delayMs?: number } = {}) => {
  const lines: RawLine[] = [];
  let inFlight = 0;
  let overlapped = false;
  let firstAt: number | undefined;
  const waiters: Array<{ test: (l: RawLine) => boolean; resolve: () => void }> = [];
  return {
    lines,
    get firstAt() {
      return firstAt;
    },
    get overlapped() {
      return overlapped;
    },
    onOutput: async (batch: RawLine[]) => {
      if (inFlight++ > 0) overlapped = true;
      firstAt ??= Date.now();
      lines.push(...batch);
      for (const w of [...waiters]) {
        if (batch.some(w.test)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
      if (o.delayMs) await new Promise((r) => setTimeout(r, o.delayMs));
      inFlight--;
    },
    /** Resolves when a line containing `text` arrived. */
    waitFor(text: string): Promise<void> {
      if (lines.some((l) => l.line.includes(text))) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ test: (l) => l.line.includes(text), resolve }));
    },
    text(stream: RawLine['stream'] = 'stdout'): string {
      return lines
        .filter((l) => l.stream === stream)
        .map((l) => l.line)
        .join('\n');
    },
  };
};

/** An execution of `script` with sensible defaults. */
export const execution = (server: SshServer, runtime: ScriptRuntime, script: string, over: Partial<SshExecution> = {}): SshExecution => ({
  server,
  runtime,
  env: {},
  workspace: { [ScriptFiles[runtime]]: script, 'in/input.json': '{"n":1}\n' },
  onOutput: async () => {},
  ...over,
});

/** Processes of `user` whose command line contains `marker`. */
export const remoteProcesses = (user: string, marker: string): string[] => {
  try {
    return execFileSync('pgrep', ['-u', user, '-f', marker], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
};

/** The workspace path a test script printed (`ws=<path>`). */
export const workspaceFrom = (text: string): string => {
  const m = /ws=(\/\S+)/.exec(text);
  if (!m) throw new Error(`no ws= line in: ${text}`);
  return m[1]!;
};

export const exists = (path: string) => existsSync(path);

/** A unique number for `sleep`, so pgrep finds this test's processes only. */
export const marker = () => `98${Math.floor(Math.random() * 1e6)}.${Math.floor(Math.random() * 90 + 10)}`;

/** A fresh private key no test server accepts. */
export const strangerKey = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'cronium-stranger-'));
  try {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'k')]);
    return readFileSync(join(dir, 'k'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
