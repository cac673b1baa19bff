import type { LogLine } from '../model';

/**
 * What one pushed frame may hold. API Gateway refuses WebSocket messages over 128 KiB and meters
 * them in 32 KiB units, so a frame is filled up to one metered unit; a single line past that (stored
 * lines are at most 16 KiB of text, but JSON escaping can grow them) goes alone, up to the hard limit.
 */
export const FrameLimits = {
  /** Lines are packed into a frame while it stays within this many bytes. */
  budgetBytes: 32 * 1024,
  /** No frame is ever larger; a line that would not fit even alone is cut for the push (REST has it whole). */
  maxBytes: 128 * 1024,
} as const;

/** Room for the envelope `{"type":"logs","jobId":…,"lines":[…]}` around the lines. */
const ENVELOPE_BYTES = 256;
const CUT_MARK = '… (line cut for the live push; the stored log has it whole)';

const sizeOf = (line: LogLine): number => Buffer.byteLength(JSON.stringify(line)) + 1;

/** A line small enough to travel alone: its text cut at a character boundary when it is not. */
const fitted = (line: LogLine, room: number): LogLine => {
  let text = line.line;
  while (text.length > 0 && sizeOf({ ...line, line: `${text}${CUT_MARK}` }) > room) {
    text = text.slice(0, Math.floor(text.length * 0.75));
  }
  if (/[\uD800-\uDBFF]$/.test(text)) text = text.slice(0, -1);
  return { ...line, line: `${text}${CUT_MARK}` };
};

/**
 * Splits consecutive lines into frames of at most `budgetBytes` each (a line that alone exceeds the
 * budget gets a frame of its own, never over `maxBytes`), keeping their order.
 */
export const packFrames = (lines: LogLine[], limits: { budgetBytes: number; maxBytes: number } = FrameLimits): LogLine[][] => {
  const frames: LogLine[][] = [];
  let current: LogLine[] = [];
  let size = ENVELOPE_BYTES;
  for (const line of lines) {
    let bytes = sizeOf(line);
    let sent = line;
    if (bytes + ENVELOPE_BYTES > limits.maxBytes) {
      sent = fitted(line, limits.maxBytes - ENVELOPE_BYTES);
      bytes = sizeOf(sent);
    }
    if (current.length > 0 && size + bytes > limits.budgetBytes) {
      frames.push(current);
      current = [];
      size = ENVELOPE_BYTES;
    }
    current.push(sent);
    size += bytes;
  }
  if (current.length > 0) frames.push(current);
  return frames;
};
