import { decodeStreamPosition, encodeStreamPosition, eventsAfter, positionAfter, rawLinesOf } from '../../adapters/ecs';
import type { JobLogEvent, JobLogReader, TaskJob } from '../../adapters/ecs';
import type { ExecutionReports, JobKey } from '../../core';

/** What {@link createJobLogForwarding} needs. */
export interface JobLogForwardingDeps {
  /** The one inbound report path (the core's output use case); `settled` waits for the pushes it started. */
  events: Pick<ExecutionReports, 'outputAfter'> & { settled?(key: JobKey): Promise<void> };
  /** Reads a job's log stream (the completion drain). */
  reader: JobLogReader;
}

/** Stores a job's CloudWatch log events through the core, each event once. */
export interface JobLogForwarding {
  /** Stores the events of one subscription batch that are after the stored position. */
  forward(job: TaskJob, events: readonly JobLogEvent[]): Promise<void>;
  /** Reads the stream from the stored position to its end and stores what is new. */
  drain(job: TaskJob, logStream: string): Promise<void>;
}

/** The events after the position a resume token names, as lines and the token after them. */
const picked = (events: readonly JobLogEvent[], resumeToken: string | undefined) => {
  const fresh = eventsAfter(events, decodeStreamPosition(resumeToken));
  return fresh.length === 0 ? undefined : { lines: rawLinesOf(fresh), resumeToken: encodeStreamPosition(positionAfter(fresh)) };
};

/**
 * The log forwarder and the completion handler store lines the same way, through the core's
 * `outputAfter`: it gives them the position stored with the job's last log batch (its resume token,
 * `cw1:<time>:<event id>`; the tail is read once per job and container, then the recorder's cursor
 * is used, and a forwarder given a fresh log's first batch starts at seq 1 without reading it), they pick their events after it, and the first batch's conditional write checks that
 * position. So a batch delivered twice, lines the other path stored first, and a subscription batch
 * racing the completion drain with the same events are each stored once (docs/aws.md, Ordering).
 */
export const createJobLogForwarding = ({ events, reader }: JobLogForwardingDeps): JobLogForwarding => {
  const settle = async (key: JobKey) => {
    // A Lambda is frozen once it returns: the pushes to subscribers must be made before it does.
    await events.settled?.(key);
  };
  /** The key alone (the hints go apart), and what the task's launch told of the job. */
  const split = ({ tenant, jobId, secretFree, freshLog }: TaskJob) => ({
    key: { tenant, jobId },
    hints: { ...(secretFree ? { secretFree } : {}), ...(freshLog ? { freshLog } : {}) },
  });
  return {
    async forward(job, batch) {
      const { key, hints } = split(job);
      // The fresh-log hint saves the first batch's tail read. Not for the drain: a completion handler
      // that has not seen the job most likely comes after stored lines, and a wrong presumption there
      // would read the stream from its start before reading the tail anyway.
      await events.outputAfter(key, async (token) => picked(batch, token), hints);
      await settle(key);
    },
    async drain(job, logStream) {
      const { key, hints } = split({ ...job, freshLog: false });
      await events.outputAfter(key, async (token) => picked(await reader.read(logStream, decodeStreamPosition(token)), token), hints);
      await settle(key);
    },
  };
};
