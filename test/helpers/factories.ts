import { defaultCoreConfig } from '../../lambdas/core/config';
import type { Caller, Job, LogLine } from '../../lambdas/core/model';
import { isTerminal } from '../../lambdas/core/model';
import type { RawLine } from '../../lambdas/core/ports';
import { TEST_EPOCH } from './memory/createFakeClock';

let jobCount = 0;

/**
 * A stored job in any status, consistent with it: a claimed job has `claimedAt`; a running one
 * also `startedAt`, `deadlineAt` and `executionRef`; an ended one `finishedAt`. Anything given wins.
 * @example
 * jobFactory({ status: 'running', slot: 0 })
 */
export const jobFactory = (partial: Partial<Job> = {}): Job => {
  const status = partial.status ?? 'queued';
  const id = partial.id ?? `fjob${String(++jobCount).padStart(6, '0')}`;
  const createdAt = partial.createdAt ?? new Date(TEST_EPOCH).toISOString();
  const timeoutSeconds = partial.timeoutSeconds ?? defaultCoreConfig.defaultTimeoutSeconds;
  const job: Job = {
    tenant: 'acme',
    id,
    status,
    version: 1,
    createdAt,
    runtime: 'bash',
    script: 'echo hello',
    env: {},
    timeoutSeconds,
    resources: { ...defaultCoreConfig.defaultResources },
  };
  if (status !== 'queued') job.claimedAt = createdAt;
  if (status === 'running') {
    const startedAt = partial.startedAt ?? createdAt;
    job.startedAt = startedAt;
    job.deadlineAt = Date.parse(startedAt) + timeoutSeconds * 1000;
    job.executionRef = `ctr-${id}`;
  }
  if (isTerminal(status)) job.finishedAt = createdAt;
  return { ...job, ...partial };
};

/** @example callerFactory({ tenant: 'globex', role: 'admin' }) */
export const callerFactory = (partial: Partial<Caller> = {}): Caller => ({ tenant: 'acme', role: 'user', ...partial });

/** `count` lines of output as a launcher reports them: `<prefix>1`, `<prefix>2`, … */
export const rawLinesFactory = (count: number, o: { prefix?: string; stream?: RawLine['stream']; from?: number } = {}): RawLine[] =>
  Array.from({ length: count }, (_, i) => ({
    stream: o.stream ?? 'stdout',
    ts: new Date(TEST_EPOCH).toISOString(),
    line: `${o.prefix ?? 'line '}${(o.from ?? 1) + i}`,
  }));

/** A stored log line. */
export const logLineFactory = (partial: Partial<LogLine> & { seq: number }): LogLine => ({
  stream: 'stdout',
  ts: new Date(TEST_EPOCH).toISOString(),
  line: `line ${partial.seq}`,
  ...partial,
});
