import type { RawLine } from '../../core';
import { JobTaskContract } from './taskContract';

/** One event of a job's log stream, as a subscription delivers it and FilterLogEvents returns it. */
export interface JobLogEvent {
  /** CloudWatch's event id: a decimal string, unique in the log group. */
  id: string;
  /** Epoch milliseconds the container wrote the line. */
  timestamp: number;
  message: string;
}

/** Where the stored log of a job ends in its stream: the last stored event. */
export interface StreamPosition {
  timestamp: number;
  id: string;
}

const Version = 'cw1';

/**
 * The task id of a job container's awslogs stream, named `<prefix>/<container>/<task id>`; undefined
 * for a stream of another container (not a job's).
 */
export const taskIdOfLogStream = (logStream: string): string | undefined => {
  const parts = logStream.split('/');
  if (parts.length !== 3 || parts[1] !== JobTaskContract.containerName || !parts[2]) return undefined;
  return parts[2];
};

/**
 * The awslogs stream of a job task: lib/JobCluster.ts gives each runtime's task definition the
 * runtime as its stream prefix, and awslogs appends the container name and the task id.
 */
export const jobLogStreamName = (runtime: string, taskId: string): string => `${runtime}/${JobTaskContract.containerName}/${taskId}`;

/** The resume token stored with a log batch: `cw1:<timestamp>:<event id>` of its last event. */
export const encodeStreamPosition = (p: StreamPosition): string => `${Version}:${p.timestamp}:${p.id}`;

/** @returns the position a token names, or undefined for no token or one not written here (read from the start). */
export const decodeStreamPosition = (token: string | undefined): StreamPosition | undefined => {
  const m = token === undefined ? null : /^cw1:(\d+):(\d+)$/.exec(token);
  return m ? { timestamp: Number(m[1]), id: m[2]! } : undefined;
};

/** Event ids are decimal numbers longer than 2^53: compare them as digit strings. */
const compareIds = (a: string, b: string): number => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);

const compare = (a: StreamPosition, b: StreamPosition): number => a.timestamp - b.timestamp || compareIds(a.id, b.id);

/**
 * The events after `position`, in stream order (time, then id), each once. This is what makes a
 * batch delivered twice, or a batch the completion drain already stored, store nothing twice. It
 * assumes a stream's events arrive in time order, as the awslogs driver sends them; an event older
 * than the newest stored one is taken for a duplicate.
 */
export const eventsAfter = (events: readonly JobLogEvent[], position: StreamPosition | undefined): JobLogEvent[] => {
  const seen = new Set<string>();
  return [...events]
    .sort(compare)
    .filter((e) => (position === undefined || compare(e, position) > 0) && !seen.has(e.id) && (seen.add(e.id), true));
};

/**
 * Lines for the core, one per event. The awslogs driver sends stdout and stderr to one stream and
 * does not say which an event came from, so every line is `stdout`.
 */
export const rawLinesOf = (events: readonly JobLogEvent[]): RawLine[] =>
  events.map((e) => ({ stream: 'stdout', ts: new Date(e.timestamp).toISOString(), line: e.message.replace(/\r?\n$/, '') }));

/** The position after the last of `events` (which must be in stream order and not empty). */
export const positionAfter = (events: readonly JobLogEvent[]): StreamPosition => {
  const last = events.at(-1)!;
  return { timestamp: last.timestamp, id: last.id };
};
