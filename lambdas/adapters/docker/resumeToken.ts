import { parseDockerTimestamp, type DockerTimestamp } from './dockerTimestamp';
import { InvalidResumeTokenError } from './errors';

/** The two output streams of a container. */
export const OutputStreams = ['stdout', 'stderr'] as const;
export type OutputStream = (typeof OutputStreams)[number];

/**
 * A position in one stream of a container's log: the next unreported byte is at byte
 * `offset` of the `count`-th (0-based) entry stamped `ts`. Entries are counted because
 * the engine gives the same timestamp to several entries (a long line is stored as 16 KiB
 * pieces, all stamped with the time of the read that produced them).
 */
export interface StreamCursor {
  ts: DockerTimestamp;
  count: number;
  offset: number;
}

/**
 * Per-stream positions (a missing stream has reported nothing yet), plus `from`: no entry
 * still to be reported is older than it, so a reader may ask the engine to start there.
 */
export type LogCursor = Partial<Record<OutputStream, StreamCursor>> & { from?: DockerTimestamp };

const Version = 'd1';
const tags = { stdout: 'o', stderr: 'e' } as const satisfies Record<OutputStream, string>;

/**
 * Writes a cursor as an opaque token, e.g.
 * `d1;f=2025-01-01T00:00:00.1Z;o=2025-01-01T00:00:00.123456789Z,2,0` (`f`: from; `o`/`e`:
 * stdout/stderr as timestamp, entries with that timestamp already reported, bytes of the next one).
 * Each stream keeps its own position because the engine stamps stdout and stderr in
 * separate goroutines, so across streams the stamps are not guaranteed to be in file order.
 */
export const encodeResumeToken = (cursor: LogCursor): string => {
  const parts: string[] = [Version];
  if (cursor.from) parts.push(`f=${cursor.from.raw}`);
  for (const stream of OutputStreams) {
    const c = cursor[stream];
    if (c) parts.push(`${tags[stream]}=${c.ts.raw},${c.count},${c.offset}`);
  }
  return parts.join(';');
};

/**
 * Reads a token written by encodeResumeToken.
 * @throws InvalidResumeTokenError when the token is not one.
 */
export const decodeResumeToken = (token: string): LogCursor => {
  const [version, ...parts] = token.split(';');
  if (version !== Version) throw new InvalidResumeTokenError(token);
  const cursor: LogCursor = {};
  for (const part of parts) {
    if (part.startsWith('f=')) {
      const from = parseDockerTimestamp(part.slice(2));
      if (!from) throw new InvalidResumeTokenError(token);
      cursor.from = from;
      continue;
    }
    const m = /^([oe])=([^,]+),(\d+),(\d+)$/.exec(part);
    const ts = m?.[2] === undefined ? undefined : parseDockerTimestamp(m[2]);
    if (!m || !ts) throw new InvalidResumeTokenError(token);
    cursor[m[1] === 'o' ? 'stdout' : 'stderr'] = { ts, count: Number(m[3]), offset: Number(m[4]) };
  }
  return cursor;
};

/** The earliest timestamp the engine must send to cover `cursor`; undefined means from the start. */
export const earliestNeeded = (cursor: LogCursor): DockerTimestamp | undefined => {
  const bounds = [cursor.from, ...OutputStreams.map((s) => cursor[s]?.ts)];
  if (!cursor.from && bounds.some((b) => b === undefined)) return undefined;
  return bounds.filter((b) => b !== undefined).reduce((a, b) => (b.nanos < a.nanos ? b : a));
};
