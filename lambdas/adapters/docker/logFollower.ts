import type { Container } from 'dockerode';
import type { DockerTimestamp } from './dockerTimestamp';
import { createFrameDemuxer } from './frameDemuxer';
import { createLineAssembler, type AssembledLine } from './lineAssembler';
import { earliestNeeded, type LogCursor } from './resumeToken';

/**
 * The engine's `since` for a position, to the nanosecond (`<seconds>.<nanoseconds>`): it keeps entries
 * stamped at or after it. Whole seconds would make the last read of a job that wrote 100 MB in its
 * final second fetch all of it again, in one buffer.
 */
const exactSince = (ts: DockerTimestamp): string => {
  const s = ts.nanos / 1_000_000_000n;
  return `${s}.${String(ts.nanos - s * 1_000_000_000n).padStart(9, '0')}`;
};

/** Options of followLogs. */
export interface FollowLogsOptions {
  container: Container;
  /** Position to read on from; undefined reads the whole log. */
  resumeFrom?: LogCursor;
  /** Aborting closes the log connection; followLogs then resolves without flushing. */
  signal: AbortSignal;
  /** Called with the lines of each chunk as it arrives. */
  onLines(lines: AssembledLine[]): void;
  /** Awaited after each chunk; reading pauses (and the engine buffers) until it resolves. */
  room?(): Promise<void>;
  /** Checked after each chunk: true closes the connection (nothing more needs reading, e.g. the log is full). */
  enough?(): boolean;
}

/** How a log read ended. */
export interface FollowLogsResult {
  /** True when the signal closed the connection. */
  aborted: boolean;
  /** True when `enough` closed it: the rest of the log was left unread. */
  leftUnread: boolean;
  /** The assembler, holding the unfinished last lines and the position after the lines handed out. */
  assembler: ReturnType<typeof createLineAssembler>;
}

/**
 * Reads a container's log with `follow` from `resumeFrom` on, until the engine ends it (the
 * container stopped; for a container already stopped, right after its stored log) or the signal
 * aborts. Memory stays bounded: chunks are cut into lines as they arrive. The same call serves a fresh start and a reattach:
 * the engine replays the stored log first, then streams new entries.
 * @throws the engine's error when the log cannot be opened or breaks off.
 */
export const followLogs = async (o: FollowLogsOptions): Promise<FollowLogsResult> => {
  const assembler = createLineAssembler({ resumeFrom: o.resumeFrom });
  const since = o.resumeFrom ? earliestNeeded(o.resumeFrom) : undefined;
  const request = { stdout: true, stderr: true, timestamps: true, ...(since ? { since: exactSince(since) } : {}) };
  // Always a stream, also for a stopped container (the engine ends it after the stored log): a plain
  // read comes back as one buffer, and a job's one long line shares one timestamp, so `since` cannot
  // narrow it: that buffer would hold the whole line again.
  const stream = (await o.container.logs({ ...request, follow: true })) as NodeJS.ReadableStream & { destroy(): void };
  const abort = () => stream.destroy();
  if (o.signal.aborted) abort();
  o.signal.addEventListener('abort', abort, { once: true });
  const demuxer = createFrameDemuxer();
  let leftUnread = false;
  try {
    for await (const chunk of stream) {
      const lines = demuxer.push(chunk as Buffer).flatMap((frame) => assembler.push(frame));
      if (lines.length > 0) o.onLines(lines);
      await o.room?.();
      if (o.enough?.()) {
        leftUnread = true;
        stream.destroy();
        break;
      }
    }
  } catch (err) {
    if (!o.signal.aborted && !leftUnread) throw err;
  } finally {
    o.signal.removeEventListener('abort', abort);
  }
  return { aborted: o.signal.aborted, leftUnread, assembler };
};
