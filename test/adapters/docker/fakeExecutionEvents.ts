import type { JobKey } from '../../../lambdas/core/model';
import type { ExecutionEvents, ExitReport, RawLine } from '../../../lambdas/core/ports/runtime';

export interface OutputCall {
  key: JobKey;
  lines: RawLine[];
  resumeToken: string;
  at: number;
}

export interface ExitedCall {
  key: JobKey;
  report: ExitReport;
  at: number;
}

/** Knobs to make the fake slow or failing. */
export interface FakeEventsOptions {
  /** Each output call takes this long. */
  outputDelayMs?: number;
  /** The first n output calls reject. */
  failOutputTimes?: number;
  /** The first n exited calls reject (Infinity: always). */
  failExitedTimes?: number;
  /** Says the job's log is full (`logFull`) once this many of its lines were reported. */
  logFullAfterLines?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** In-memory ExecutionEvents that records every accepted call, in order. */
export const createFakeExecutionEvents = (o: FakeEventsOptions = {}) => {
  const outputs: OutputCall[] = [];
  const exits: ExitedCall[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let failOutput = o.failOutputTimes ?? 0;
  let failExited = o.failExitedTimes ?? 0;
  let rejected = 0;

  const events: ExecutionEvents = {
    async output(key, lines, resumeToken) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        if (o.outputDelayMs) await sleep(o.outputDelayMs);
        if (failOutput > 0) {
          failOutput--;
          rejected++;
          throw new Error('store unavailable');
        }
        outputs.push({ key, lines: [...lines], resumeToken, at: Date.now() });
      } finally {
        inFlight--;
      }
    },
    ...(o.logFullAfterLines !== undefined ? { logFull: (key: JobKey) => linesOf(key.jobId).length >= o.logFullAfterLines! } : {}),
    async exited(key, report) {
      if (failExited > 0) {
        failExited--;
        rejected++;
        throw new Error('store unavailable');
      }
      exits.push({ key, report, at: Date.now() });
    },
  };

  const linesOf = (jobId: string, stream?: RawLine['stream']) =>
    outputs
      .filter((c) => c.key.jobId === jobId)
      .flatMap((c) => c.lines)
      .filter((l) => !stream || l.stream === stream);

  const waitFor = async <T>(probe: () => T | undefined, timeoutMs = 20_000, what = 'condition'): Promise<T> => {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await sleep(20);
    }
  };

  return {
    events,
    outputs,
    exits,
    /** Lines reported for a job, in the order reported. */
    linesOf,
    /** Text of the lines reported for a job. */
    textOf: (jobId: string, stream?: RawLine['stream']) => linesOf(jobId, stream).map((l) => l.line),
    exitOf: (jobId: string) => exits.find((e) => e.key.jobId === jobId),
    lastTokenOf: (jobId: string) => outputs.filter((c) => c.key.jobId === jobId).at(-1)?.resumeToken,
    waitFor,
    waitForExit: (jobId: string, timeoutMs?: number) =>
      waitFor(() => exits.find((e) => e.key.jobId === jobId), timeoutMs, `exit of ${jobId}`),
    get maxInFlight() {
      return maxInFlight;
    },
    get rejected() {
      return rejected;
    },
  };
};
