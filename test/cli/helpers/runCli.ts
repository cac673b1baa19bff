import { mkdtempSync, rmSync } from 'node:fs';
import { afterAll } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../bin/cli';
import type { CliDeps, CliIo } from '../../../bin/cli';

/** What a CLI run produced. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Options of {@link runCli}. */
export interface RunCliOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  deps?: Partial<CliDeps>;
  /** Called with a function that simulates Ctrl-C, and with the output so far. */
  onStart?: (ctl: { interrupt: () => void; stdout: () => string; stderr: () => string }) => void;
}

/** Fast timings, and a `start` that never boots a real control plane. */
export const testDeps: Partial<CliDeps> = {
  pollIntervalMs: 20,
  tailGraceMs: 100,
  // Large, so the REST status check never races the socket unless a test wants it to.
  statusCheckMs: 60_000,
  wsHandshakeTimeoutMs: 2000,
  loadLocalRuntime: () => Promise.reject(new Error('no local runtime in tests')),
};

const madeDirs: string[] = [];
afterAll(() => {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh empty directory, so no `.cronium` from the checkout leaks into a test; removed after the file. */
export const emptyDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'cronium-cli-'));
  madeDirs.push(dir);
  return dir;
};

/** Runs the CLI in-process with captured output and an injected environment. */
export const runCli = async (argv: string[], o: RunCliOptions = {}): Promise<CliResult> => {
  let stdout = '';
  let stderr = '';
  const interruptHandlers = new Set<() => void>();
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: o.env ?? {},
    cwd: o.cwd ?? emptyDir(),
    onInterrupt: (handler) => {
      interruptHandlers.add(handler);
      return () => interruptHandlers.delete(handler);
    },
  };
  o.onStart?.({
    interrupt: () => [...interruptHandlers].forEach((h) => h()),
    stdout: () => stdout,
    stderr: () => stderr,
  });
  const code = await main(argv, io, { ...testDeps, ...o.deps });
  return { code, stdout, stderr };
};
