import type { LogLine } from '../model';
import type { RawLine } from '../ports';
import { WorkspaceLimits } from '../workspace/workspaceContract';

/** Sizes the recorder keeps stored log lines and batches within, whatever the launcher sent. */
export const LogLimits = {
  /** Longest stored line in UTF-8 bytes; a longer one is stored as pieces, each continued by the next. */
  maxLineBytes: WorkspaceLimits.maxLineBytes,
  /** Most bytes of lines in one stored batch (a DynamoDB item holds 400 KB in all, attribute names included). */
  maxBatchBytes: 256 * 1024,
  /** What one stored line costs besides its text and server name: seq, stream, ts and their names. */
  lineOverheadBytes: 96,
} as const;

/** The byte index at or before `at` where no UTF-8 sequence is split. */
const utf8Boundary = (bytes: Buffer, at: number): number => {
  let c = at;
  while (c > 0 && c > at - 4 && (bytes[c]! & 0xc0) === 0x80) c--;
  return c > 0 ? c : at;
};

/**
 * Cuts a raw line longer than `maxBytes` into pieces marked `partial` (all but its last, which keeps
 * the line's own flag), never inside a UTF-8 sequence. Launchers already cut lines this way; this
 * holds every launcher to the same size.
 */
export const cutLongLine = (raw: RawLine, maxBytes: number = LogLimits.maxLineBytes): RawLine[] => {
  if (raw.line.length * 3 <= maxBytes) return [raw];
  const bytes = Buffer.from(raw.line, 'utf8');
  if (bytes.length <= maxBytes) return [raw];
  const pieces: RawLine[] = [];
  let at = 0;
  while (bytes.length - at > maxBytes) {
    const cut = at + Math.max(1, utf8Boundary(bytes.subarray(at), maxBytes));
    pieces.push({ ...raw, line: bytes.subarray(at, cut).toString('utf8'), partial: true });
    at = cut;
  }
  pieces.push({ ...raw, line: bytes.subarray(at).toString('utf8') });
  return pieces;
};

/** Bytes one line takes in a stored batch, counted generously. */
export const storedSize = (line: LogLine): number =>
  Buffer.byteLength(line.line) + (line.server ? Buffer.byteLength(line.server) : 0) + LogLimits.lineOverheadBytes;

/** Splits numbered lines into runs of consecutive lines that each fit one stored batch. */
export const batchesForStore = (lines: LogLine[], maxBytes: number = LogLimits.maxBatchBytes): LogLine[][] => {
  const batches: LogLine[][] = [];
  let current: LogLine[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = storedSize(line);
    if (current.length > 0 && bytes + size > maxBytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(line);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
};
