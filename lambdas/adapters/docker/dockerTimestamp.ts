/** A timestamp as the engine writes it before each log entry (RFC3339, nanoseconds). */
export interface DockerTimestamp {
  /** Exactly as the engine wrote it; kept so tokens never lose precision. */
  raw: string;
  /** Nanoseconds since the epoch, for exact comparison. */
  nanos: bigint;
}

const pattern = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC3339(Nano) timestamp; undefined when it is not one. */
export const parseDockerTimestamp = (raw: string): DockerTimestamp | undefined => {
  const m = pattern.exec(raw);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  const fraction = (m[2] ?? '').padEnd(9, '0');
  return { raw, nanos: BigInt(seconds) * 1_000_000n + BigInt(fraction) };
};

/** ISO-8601 (millisecond precision) for `RawLine.ts`. */
export const toIsoString = (ts: DockerTimestamp): string => new Date(Number(ts.nanos / 1_000_000n)).toISOString();

/**
 * The engine's `since` parameter for reading from `ts` on: whole seconds, one second early.
 * `since` only narrows what the engine sends; the exact position is found by skipping.
 */
export const sinceParam = (ts: DockerTimestamp): number => Number(ts.nanos / 1_000_000_000n) - 1;
