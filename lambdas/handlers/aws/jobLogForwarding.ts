import { decodeStreamPosition, encodeStreamPosition, eventsAfter, positionAfter, rawLinesOf } from '../../adapters/ecs';
import type { JobLogEvent, JobLogReader } from '../../adapters/ecs';
import type { ExecutionEvents, JobKey, LogTail } from '../../core';

/** What {@link createJobLogForwarding} needs. */
export interface JobLogForwardingDeps {
  /** The one inbound report path (the core's output use case); `settled` waits for the pushes it started. */
  events: Pick<ExecutionEvents, 'output'> & { settled?(key: JobKey): Promise<void> };
  /** The job's stored log tail: its resume token is the stream position stored last. */
  logTail(key: JobKey): Promise<LogTail>;
  /** Reads a job's log stream (the completion drain). */
  reader: JobLogReader;
  /** The per-job log cap (`CRONIUM_MAX_LOG_BYTES`): past it nothing more is stored, so nothing is read. */
  maxLogBytes: number;
}

/** Stores a job's CloudWatch log events through the core, each event once. */
export interface JobLogForwarding {
  /** Stores the events of one subscription batch that are after the stored position. */
  forward(key: JobKey, events: readonly JobLogEvent[]): Promise<void>;
  /** Reads the stream from the stored position to its end and stores what is new. */
  drain(key: JobKey, logStream: string): Promise<void>;
}

/**
 * The log forwarder and the completion handler store lines the same way: each batch is compared
 * with the position stored with the job's last log batch (its resume token, `cw1:<time>:<event id>`),
 * so a batch delivered twice, or lines the other path stored first, are not stored again. Reading the
 * tail costs one DynamoDB read per batch; it is what makes this hold across Lambda containers.
 *
 * Residual race, written down: the recorder numbers a batch that lost its conditional write after
 * the winner's lines, so two writers holding the SAME new events at the same moment (a subscription
 * batch arriving while the completion drain stores it) would store them twice. The drain runs when
 * the task has stopped, seconds to tens of seconds after the stream's last batch was sent.
 */
export const createJobLogForwarding = ({ events, logTail, reader, maxLogBytes }: JobLogForwardingDeps): JobLogForwarding => {
  /** @returns the stored position, or false when the job's log is full. */
  const storedPosition = async (key: JobKey) => {
    const tail = await logTail(key);
    return tail.totalBytes > maxLogBytes ? false : decodeStreamPosition(tail.resumeToken);
  };

  const store = async (key: JobKey, batch: readonly JobLogEvent[], position: ReturnType<typeof decodeStreamPosition>) => {
    const fresh = eventsAfter(batch, position);
    if (fresh.length === 0) return;
    await events.output(key, rawLinesOf(fresh), encodeStreamPosition(positionAfter(fresh)));
    // A Lambda is frozen once it returns: the pushes to subscribers must be made before it does.
    await events.settled?.(key);
  };

  return {
    async forward(key, batch) {
      const position = await storedPosition(key);
      if (position !== false) await store(key, batch, position);
    },
    async drain(key, logStream) {
      const position = await storedPosition(key);
      if (position === false) return;
      await store(key, await reader.read(logStream, position), position);
    },
  };
};
