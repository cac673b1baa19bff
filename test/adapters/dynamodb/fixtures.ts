import type { EventDef, Job, LogLine, Variable } from '../../../lambdas/core/model';

const BASE = Date.parse('2030-01-01T00:00:00.000Z');

/** An ISO time `n` seconds after a fixed base, so creation order is explicit in each test. */
export const at = (n: number): string => new Date(BASE + n * 1000).toISOString();

/** A queued job with every required field set and no optional one. */
export const jobFactory = (o: Partial<Job> = {}): Job => ({
  tenant: 'acme',
  id: 'job1',
  status: 'queued',
  version: 0,
  createdAt: at(0),
  runtime: 'bash',
  script: 'echo hi',
  env: { GREETING: 'hi' },
  timeoutSeconds: 60,
  resources: { cpu: 0.5, memoryMb: 512, pids: 128 },
  ...o,
});

export const eventFactory = (o: Partial<EventDef> = {}): EventDef => ({
  tenant: 'acme',
  id: 'ev1',
  name: 'nightly',
  createdAt: at(0),
  updatedAt: at(0),
  runtime: 'python',
  script: 'print(1)',
  env: {},
  timeoutSeconds: 30,
  resources: { cpu: 1, memoryMb: 256, pids: 64 },
  ...o,
});

/** Lines `from`..`to` inclusive. */
export const lines = (from: number, to: number): LogLine[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i, stream: 'stdout', ts: at(from + i), line: `line ${from + i}` }));

/** The seqs of some lines, for short assertions. */
export const seqs = (ls: readonly LogLine[]): number[] => ls.map((l) => l.seq);

/** A plain (non-secret) variable of tenant acme. */
export const variableFactory = (o: Partial<Variable> = {}): Variable => ({
  tenant: 'acme',
  key: 'GREETING',
  secret: false,
  value: 'hello',
  updatedAt: at(0),
  ...o,
});

/** A secret variable: ciphertext only, as the core stores it. */
export const secretVariableFactory = (o: Partial<Variable> = {}): Variable => ({
  tenant: 'acme',
  key: 'DB_PASSWORD',
  secret: true,
  ciphertext: 'v1.AAAAAAAAAAAAAAAA.c2VjcmV0LWNpcGhlcnRleHQtYnl0ZXM',
  updatedAt: at(0),
  ...o,
});
