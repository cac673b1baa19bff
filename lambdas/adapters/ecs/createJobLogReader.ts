import { type CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { EcsCallError } from './errors';
import type { JobLogEvent, StreamPosition } from './jobLogStream';

/** Reads a job's log stream from CloudWatch Logs. */
export interface JobLogReader {
  /**
   * The stream's events from `after` on (the event at `after` itself included: the caller filters),
   * oldest first, at most `maxEvents`.
   */
  read(logStream: string, after: StreamPosition | undefined, maxEvents?: number): Promise<JobLogEvent[]>;
}

export interface JobLogReaderOptions {
  client: CloudWatchLogsClient;
  /** The job log group (name). */
  logGroup: string;
}

/** More than the log cap lets a job store: past it the recorder drops lines anyway. */
const DefaultMaxEvents = 100_000;

/**
 * Reads with FilterLogEvents rather than GetLogEvents because only FilterLogEvents returns event
 * ids, the ids the subscription batches carry and the stored position is made of.
 * @throws EcsCallError when CloudWatch Logs fails.
 */
export const createJobLogReader = ({ client, logGroup }: JobLogReaderOptions): JobLogReader => ({
  async read(logStream, after, maxEvents = DefaultMaxEvents) {
    const events: JobLogEvent[] = [];
    let nextToken: string | undefined;
    try {
      do {
        const out = await client.send(
          new FilterLogEventsCommand({
            logGroupName: logGroup,
            logStreamNames: [logStream],
            ...(after ? { startTime: after.timestamp } : {}),
            ...(nextToken ? { nextToken } : {}),
          }),
        );
        for (const e of out.events ?? []) {
          if (e.eventId && e.timestamp !== undefined) events.push({ id: e.eventId, timestamp: e.timestamp, message: e.message ?? '' });
        }
        nextToken = out.nextToken;
      } while (nextToken && events.length < maxEvents);
    } catch (err) {
      throw new EcsCallError(`reading log stream ${logStream} failed`, { cause: err });
    }
    return events;
  },
});
