import type { ExecutionEvents, JobKey, RawLine } from '../../core';
import { toIsoString } from './dockerTimestamp';
import type { AssembledLine } from './lineAssembler';
import { encodeResumeToken } from './resumeToken';

/** Caps on one `output` call, so a flood of output still arrives in store-sized pieces. */
export const OutputBatchLimits = { lines: 1_000, bytes: 512 * 1024 } as const;

/** Queued lines past which the reader should pause (the engine keeps the rest in its log file). */
export const QueueHighWater = 10_000;

/** Queued characters past which the reader pauses too: long lines must not fill memory before the line count does. */
export const QueueHighWaterChars = 4 * 1024 * 1024;

/** Options of createOutputPump. */
export interface OutputPumpOptions {
  key: JobKey;
  events: ExecutionEvents;
  /** Aborting stops delivery after the call in flight; queued lines are dropped (a resumed reader reads them again). */
  signal: AbortSignal;
  /** A batch could not be recorded (the report path retried and logged it); it is dropped and delivery goes on. */
  onGiveUp(error: unknown, dropped: number): void;
}

const toRawLine = (l: AssembledLine): RawLine => ({
  stream: l.stream,
  ts: toIsoString(l.ts),
  line: l.line,
  ...(l.partial ? { partial: true } : {}),
});

/**
 * Delivers lines to `events.output` one call at a time, in order. Lines pushed while a call
 * is in flight are batched into the next call, so delivery starts at once without a timer.
 */
export const createOutputPump = (o: OutputPumpOptions) => {
  const queue: AssembledLine[] = [];
  let queuedChars = 0;
  const full = () => queue.length >= QueueHighWater || queuedChars >= QueueHighWaterChars;
  let running: Promise<void> | undefined;
  let waiters: Array<() => void> = [];
  const wakeWaiters = () => {
    if (full() && !o.signal.aborted) return;
    for (const wake of waiters) wake();
    waiters = [];
  };
  o.signal.addEventListener('abort', wakeWaiters, { once: true });

  const takeBatch = (): AssembledLine[] => {
    let bytes = 0;
    let n = 0;
    while (n < queue.length && n < OutputBatchLimits.lines) {
      bytes += queue[n]!.line.length;
      if (n > 0 && bytes > OutputBatchLimits.bytes) break;
      n++;
    }
    const batch = queue.splice(0, n);
    for (const l of batch) queuedChars -= l.line.length;
    return batch;
  };

  const run = async (): Promise<void> => {
    while (queue.length > 0 && !o.signal.aborted) {
      const batch = takeBatch();
      const token = encodeResumeToken(batch.at(-1)!.cursor);
      const lines = batch.map(toRawLine);
      try {
        await o.events.output(o.key, lines, token);
      } catch (err) {
        if (!o.signal.aborted) o.onGiveUp(err, lines.length);
      }
      wakeWaiters();
    }
    running = undefined;
    wakeWaiters();
  };

  return {
    /** Queues lines and starts delivering them unless a call is already in flight. */
    push(lines: readonly AssembledLine[]): void {
      if (lines.length === 0 || o.signal.aborted) return;
      for (const l of lines) {
        queue.push(l);
        queuedChars += l.line.length;
      }
      running ??= run();
    },
    /** Resolves when the queue has room again: a reader awaits it to stop pulling a flood it cannot deliver. */
    async room(): Promise<void> {
      if (!full() || o.signal.aborted) return;
      await new Promise<void>((resolve) => waiters.push(resolve));
    },
    /** Resolves once every queued line was delivered (or dropped), or the pump was aborted. */
    async drain(): Promise<void> {
      while (running) await running;
    },
  };
};
