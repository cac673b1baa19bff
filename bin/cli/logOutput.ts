import type { CliIo } from './io';
import type { LogLine } from './types';

/** Prefix of control-plane notices (`system` lines), so they never pass for the script's own output. */
export const systemPrefix = '[cronium] ';

/** Writes one log line where the script wrote it: stdout to stdout; stderr and system notices to stderr. */
export const writeLogLine = (io: Pick<CliIo, 'stdout' | 'stderr'>, line: LogLine): void => {
  if (line.stream === 'stdout') io.stdout.write(`${line.line}\n`);
  else if (line.stream === 'stderr') io.stderr.write(`${line.line}\n`);
  else io.stderr.write(`${systemPrefix}${line.line}\n`);
};
