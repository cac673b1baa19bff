import { WorkspaceLimits } from '../../core';
import { parseDockerTimestamp, type DockerTimestamp } from './dockerTimestamp';
import type { LogFrame } from './frameDemuxer';
import { OutputStreams, type LogCursor, type OutputStream, type StreamCursor } from './resumeToken';

/** Longest line reported as one; longer ones are cut into pieces of at most this many bytes. */
export const MaxLineBytes = WorkspaceLimits.maxLineBytes;

/** A complete line of one stream, with the log position just after it. */
export interface AssembledLine {
  stream: OutputStream;
  /** When the line's first byte was written. */
  ts: DockerTimestamp;
  line: string;
  /** Position after this line in both streams: resuming here skips exactly what came before. */
  cursor: LogCursor;
  /** A piece of a line cut at the piece size: the line goes on in the next one of its stream. */
  partial?: boolean;
}

interface Segment {
  ts: DockerTimestamp;
  index: number;
  /** Offset of `bytes` in its entry's content. */
  start: number;
  bytes: Buffer;
  entryLength: number;
}

interface StreamState {
  runTs?: DockerTimestamp;
  runCount: number;
  skipUntil?: StreamCursor;
  pending: Segment[];
  pendingBytes: number;
}

const Newline = 0x0a;
const Space = 0x20;

const positionAt = (ts: DockerTimestamp, index: number, offset: number, entryLength: number): StreamCursor =>
  offset >= entryLength ? { ts, count: index + 1, offset: 0 } : { ts, count: index, offset };

/** The byte index at or just before `at` where no UTF-8 sequence is split. */
const utf8Boundary = (bytes: Buffer, at: number): number => {
  let c = at;
  while (c > at - 3 && c > 0 && (bytes[c]! & 0xc0) === 0x80) c--;
  return (bytes[c]! & 0xc0) === 0x80 ? at : c;
};

/**
 * Turns log frames (one engine log entry each: `<RFC3339Nano> <content>`) into lines per
 * stream, tracking the exact log position after each line. A partial line waits for its
 * newline; one growing past MaxLineBytes is cut, each piece but the last marked `partial`, so
 * no more than about MaxLineBytes of a stream is ever held. Given `resumeFrom`, everything at or
 * before that position is skipped, so a reader resuming from a token neither loses nor
 * repeats a byte.
 */
export const createLineAssembler = (o: { resumeFrom?: LogCursor; maxLineBytes?: number } = {}) => {
  const maxLineBytes = o.maxLineBytes ?? MaxLineBytes;
  const cursor: LogCursor = { ...o.resumeFrom };
  const initial = (s: OutputStream): StreamState => ({
    runCount: 0,
    skipUntil: o.resumeFrom?.[s],
    pending: [],
    pendingBytes: 0,
  });
  const states: Record<OutputStream, StreamState> = { stdout: initial('stdout'), stderr: initial('stderr') };

  /** Newest entry pushed: a stream with nothing pending or reported has nothing to report before it. */
  let newest: DockerTimestamp | undefined = o.resumeFrom?.from;

  const lowerBound = (): DockerTimestamp | undefined => {
    const bounds = OutputStreams.flatMap((s) => {
      const b = cursor[s]?.ts ?? states[s].pending[0]?.ts ?? newest;
      return b ? [b] : [];
    });
    return bounds.length === 0 ? undefined : bounds.reduce((a, b) => (b.nanos < a.nanos ? b : a));
  };

  const emit = (stream: OutputStream, bytes: Buffer, ts: DockerTimestamp, after: StreamCursor, out: AssembledLine[], partial = false) => {
    cursor[stream] = after;
    cursor.from = lowerBound();
    out.push({ stream, ts, line: bytes.toString('utf8'), cursor: { ...cursor }, ...(partial ? { partial } : {}) });
  };

  /** The first `n` pending bytes (or all there are), copying only the segments they span. */
  const pendingHead = (state: StreamState, n: number): Buffer => {
    const parts: Buffer[] = [];
    let have = 0;
    for (const seg of state.pending) {
      if (have >= n) break;
      parts.push(seg.bytes.subarray(0, n - have));
      have += Math.min(seg.bytes.length, n - have);
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  };

  /** Removes the first `n` pending bytes; returns them and the position after them. */
  const takePending = (state: StreamState, n: number): { bytes: Buffer; after: StreamCursor; ts: DockerTimestamp } => {
    const ts = state.pending[0]!.ts;
    const taken: Buffer[] = [];
    let left = n;
    let after: StreamCursor | undefined;
    while (left > 0 || after === undefined) {
      const seg = state.pending[0]!;
      const take = Math.min(left, seg.bytes.length);
      taken.push(seg.bytes.subarray(0, take));
      after = positionAt(seg.ts, seg.index, seg.start + take, seg.entryLength);
      left -= take;
      if (take === seg.bytes.length) state.pending.shift();
      else state.pending[0] = { ...seg, start: seg.start + take, bytes: seg.bytes.subarray(take) };
      if (left === 0) break;
    }
    state.pendingBytes -= n;
    return { bytes: Buffer.concat(taken), after, ts };
  };

  const appendPiece = (stream: OutputStream, state: StreamState, seg: Segment, out: AssembledLine[]) => {
    if (seg.bytes.length > 0) {
      state.pending.push(seg);
      state.pendingBytes += seg.bytes.length;
    }
    // Only the head of what is pending is copied for each cut, so a huge entry is cut in linear time.
    while (state.pendingBytes > maxLineBytes) {
      const head = pendingHead(state, maxLineBytes + 1);
      const cut = utf8Boundary(head, maxLineBytes);
      const { bytes, after, ts } = takePending(state, cut > 0 ? cut : maxLineBytes);
      emit(stream, bytes, ts, after, out, true);
    }
  };

  /** Which part of an entry is new, given where a resumed reader must start. */
  const unreadFrom = (state: StreamState, ts: DockerTimestamp, index: number): number | undefined => {
    const skip = state.skipUntil;
    if (!skip) return 0;
    if (ts.nanos < skip.ts.nanos || (ts.nanos === skip.ts.nanos && index < skip.count)) return undefined;
    state.skipUntil = undefined;
    return ts.nanos === skip.ts.nanos && index === skip.count ? skip.offset : 0;
  };

  return {
    /** Lines completed by this entry. */
    push(frame: LogFrame): AssembledLine[] {
      const state = states[frame.stream];
      const space = frame.payload.indexOf(Space);
      const parsed = space > 0 ? parseDockerTimestamp(frame.payload.subarray(0, space).toString('latin1')) : undefined;
      // Without a stamp (never seen from the engine) the entry joins the previous run, so positions stay consistent.
      const ts = parsed ?? state.runTs ?? { raw: '1970-01-01T00:00:00Z', nanos: 0n };
      const content = parsed ? frame.payload.subarray(space + 1) : frame.payload;
      if (!newest || ts.nanos > newest.nanos) newest = ts;
      let index = 0;
      if (state.runTs?.nanos === ts.nanos) index = state.runCount++;
      else {
        state.runTs = ts;
        state.runCount = 1;
      }
      const out: AssembledLine[] = [];
      const from = unreadFrom(state, ts, index);
      if (from === undefined || from >= content.length) return out;
      let pos = from;
      for (let nl = content.indexOf(Newline, pos); nl !== -1; nl = content.indexOf(Newline, pos)) {
        const seg = { ts, index, start: pos, bytes: content.subarray(pos, nl), entryLength: content.length };
        appendPiece(frame.stream, state, seg, out);
        const lineTs = state.pending[0]?.ts ?? ts;
        const bytes = Buffer.concat(state.pending.map((s) => s.bytes));
        state.pending = [];
        state.pendingBytes = 0;
        emit(frame.stream, bytes, lineTs, positionAt(ts, index, nl + 1, content.length), out);
        pos = nl + 1;
      }
      if (pos < content.length) {
        const seg = { ts, index, start: pos, bytes: content.subarray(pos), entryLength: content.length };
        appendPiece(frame.stream, state, seg, out);
      }
      return out;
    },
    /** The unfinished last line of each stream, once the log has ended for good. */
    flush(): AssembledLine[] {
      const out: AssembledLine[] = [];
      for (const stream of OutputStreams) {
        const state = states[stream];
        if (state.pendingBytes === 0) continue;
        const { bytes, after, ts } = takePending(state, state.pendingBytes);
        emit(stream, bytes, ts, after, out);
      }
      return out;
    },
    /** Position after the last line handed out. */
    get cursor(): LogCursor {
      return { ...cursor, from: lowerBound() };
    },
  };
};
