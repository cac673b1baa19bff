import type { RawLine } from '../../core';
import { WorkspaceLimits } from '../../core';

/** Longest line reported as one; longer ones are cut into pieces of at most this many bytes. */
export const MaxLineBytes = WorkspaceLimits.maxLineBytes;

const Newline = 0x0a;

/** The byte index at or just before `at` where no UTF-8 sequence is split (`at` itself if none is near). */
const utf8Boundary = (bytes: Buffer, at: number): number => {
  let c = at;
  while (c > at - 3 && c > 0 && (bytes[c]! & 0xc0) === 0x80) c--;
  return c > 0 && (bytes[c]! & 0xc0) !== 0x80 ? c : at;
};

/**
 * Turns the chunks of one output stream into lines: split on `\n` (removed), a partial line
 * kept until its newline or flush(), a line longer than `maxLineBytes` cut into pieces (never
 * inside a UTF-8 sequence; each piece but the last marked `partial`). Each line is stamped with the time its first byte arrived.
 */
export const createLineSplitter = (o: { stream: RawLine['stream']; maxLineBytes?: number; now?: () => number }) => {
  const max = o.maxLineBytes ?? MaxLineBytes;
  const now = o.now ?? Date.now;
  let pending: Buffer = Buffer.alloc(0);
  let pendingTs = '';

  const line = (bytes: Buffer, ts: string, partial = false): RawLine => ({
    stream: o.stream,
    ts,
    line: bytes.toString('utf8'),
    ...(partial ? { partial } : {}),
  });

  /** Cuts full-size pieces off `pending` while it is over the limit. */
  const cutLong = (out: RawLine[], ts: string) => {
    while (pending.length > max) {
      const cut = utf8Boundary(pending, max);
      out.push(line(pending.subarray(0, cut), pendingTs, true));
      pending = pending.subarray(cut);
      pendingTs = ts;
    }
  };

  return {
    /** Lines this chunk completed. */
    push(chunk: Buffer): RawLine[] {
      const ts = new Date(now()).toISOString();
      const out: RawLine[] = [];
      let pos = 0;
      for (let nl = chunk.indexOf(Newline, pos); nl !== -1; nl = chunk.indexOf(Newline, pos)) {
        if (pending.length === 0) pendingTs = ts;
        pending = pending.length === 0 ? chunk.subarray(pos, nl) : Buffer.concat([pending, chunk.subarray(pos, nl)]);
        cutLong(out, ts);
        out.push(line(pending, pendingTs));
        pending = Buffer.alloc(0);
        pos = nl + 1;
      }
      if (pos < chunk.length) {
        if (pending.length === 0) pendingTs = ts;
        // Copied: the chunk's memory may be reused by the stream once this call returns.
        pending = Buffer.concat([pending, chunk.subarray(pos)]);
        cutLong(out, ts);
      }
      return out;
    },
    /** The unfinished last line, once the stream has ended. */
    flush(): RawLine[] {
      if (pending.length === 0) return [];
      const out = [line(pending, pendingTs)];
      pending = Buffer.alloc(0);
      return out;
    },
  };
};
