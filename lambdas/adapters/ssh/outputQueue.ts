import type { RawLine } from '../../core';

/** Lines queued past which the reader is asked to pause (SSH flow control then holds the script). */
export const OutputHighWater = 5_000;

/** Queued characters past which the reader is asked to pause too, so long lines cannot fill memory first. */
export const OutputHighWaterChars = 4 * 1024 * 1024;

/** Most lines handed to one `deliver` call. */
export const MaxBatchLines = 1_000;

/** Options of createOutputQueue. */
export interface OutputQueueOptions {
  deliver: (lines: RawLine[]) => Promise<void>;
  /** A batch failed to deliver; it is dropped and delivery goes on. */
  onError: (err: unknown, dropped: number) => void;
  /** Called with true when the queue passes the high water mark, false when it drained. */
  onPressure?: (paused: boolean) => void;
  highWater?: number;
}

/**
 * Delivers lines one call at a time, in order. Lines pushed while a call is in flight go
 * together into the next call, so delivery starts at once without a timer.
 */
export const createOutputQueue = (o: OutputQueueOptions) => {
  const highWater = o.highWater ?? OutputHighWater;
  const queue: RawLine[] = [];
  let queuedChars = 0;
  let running: Promise<void> | undefined;
  let paused = false;

  const run = async () => {
    while (queue.length > 0) {
      const batch = queue.splice(0, MaxBatchLines);
      for (const l of batch) queuedChars -= l.line.length;
      try {
        await o.deliver(batch);
      } catch (err) {
        o.onError(err, batch.length);
      }
      if (paused && queue.length < highWater / 2 && queuedChars < OutputHighWaterChars / 2) {
        paused = false;
        o.onPressure?.(false);
      }
    }
    running = undefined;
  };

  return {
    push(lines: readonly RawLine[]): void {
      if (lines.length === 0) return;
      for (const l of lines) {
        queue.push(l);
        queuedChars += l.line.length;
      }
      if (!paused && (queue.length >= highWater || queuedChars >= OutputHighWaterChars)) {
        paused = true;
        o.onPressure?.(true);
      }
      running ??= run();
    },
    /** Resolves once every line pushed so far was delivered (or dropped). */
    async drain(): Promise<void> {
      while (running) await running;
    },
  };
};
