import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiClient, type ApiClient } from '../test/e2e/harness';

/** `process.memoryUsage()` in MB. */
export type MemoryMb = Record<keyof NodeJS.MemoryUsage, number>;

const inMb = (m: NodeJS.MemoryUsage): MemoryMb =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Math.round(v / 1024 / 102.4) / 10])) as MemoryMb;

/** A control plane running in its own process. */
export interface BenchServer {
  url: string;
  wsUrl: string;
  adminKey: string;
  admin: ApiClient;
  pid: number;
  /** The control plane process's resident set size, in MB (the embedded DynamoDB's JVM is apart). */
  rssMb(): Promise<number>;
  /** The control plane's `process.memoryUsage()` in MB, as is and (`gc`) after a full garbage collection. */
  memoryMb(o?: { gc?: boolean }): Promise<{ asIs: MemoryMb; afterGc?: MemoryMb }>;
  close(): Promise<void>;
}

/** Starts `bench/serveControlPlane.ts` in a child process on a free port with a fresh data directory. */
export const startServer = async (env: Record<string, string> = {}): Promise<BenchServer> => {
  const dataDir = await mkdtemp(join(tmpdir(), 'cronium-bench-'));
  const child = fork(join(import.meta.dirname, 'serveControlPlane.ts'), [], {
    // BENCH_CPU_PROF=dir: the control plane writes a V8 CPU profile there when it closes.
    execArgv: [
      '--import',
      'tsx',
      '--expose-gc',
      ...(process.env['BENCH_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${process.env['BENCH_CPU_PROF']}`] : []),
    ],
    env: {
      ...process.env,
      CRONIUM_DATA_DIR: dataDir,
      CRONIUM_PORT: '0',
      LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [ready] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`control plane exited with ${code}`))),
  ])) as [{ url: string; wsUrl: string; adminKey: string }];
  return {
    ...ready,
    admin: apiClient(ready.url, ready.adminKey),
    pid: child.pid!,
    async rssMb() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    },
    async memoryMb(o = {}) {
      child.send(o.gc ? 'memory+gc' : 'memory');
      const [reply] = (await once(child, 'message')) as [{ memory: { asIs: NodeJS.MemoryUsage; afterGc?: NodeJS.MemoryUsage } }];
      return { asIs: inMb(reply.memory.asIs), ...(reply.memory.afterGc ? { afterGc: inMb(reply.memory.afterGc) } : {}) };
    },
    async close() {
      if (child.exitCode === null) {
        child.send('close');
        await Promise.race([once(child, 'exit'), new Promise((r) => setTimeout(r, 15_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
};
