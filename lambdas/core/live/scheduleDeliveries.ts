import type { Logger } from '../ports';
import { jobKeyId, type Job, type JobKey, type LogLine } from '../model';
import type { LiveFeed } from './createLiveFeed';

/** A LiveFeed whose pushes run in the background; `idle` waits for a job's to finish. */
export interface BackgroundLiveFeed extends LiveFeed {
  /** Resolves once every push asked for so far for this job has been made (or failed and been logged). */
  idle(key: JobKey): Promise<void>;
}

type Task = { kind: 'deliver'; started: boolean; askedAt: number } | { kind: 'status'; job: Job; lastSeq?: number };

interface JobQueue {
  tasks: Task[];
  done: Promise<void>;
}

/**
 * How long a delivery waits, from the first ask, for more lines before its pass starts. Each pass
 * pays the lease, a page read and one push per subscriber and frame whatever it carries: a few
 * milliseconds turn a job printing line by line into few, full frames, and bound the passes a
 * second, at that much added latency.
 */
export const COALESCE_MS = 8;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Wraps a LiveFeed so that whoever stores lines or ends a job never waits on subscribers.
 * `deliver` and `notifyStatus` return at once; per job, pushes run one at a time in the order they
 * were asked for. Deliveries coalesce: at most one in flight and one pending re-run per job (a re-run
 * sends everything stored by then), and a delivery starts no sooner than `coalesceMs` after it was
 * first asked for, so lines stored meanwhile go in the same frames. A status asked for after a
 * delivery goes out after it, so the final status (with `lastSeq`) follows the last line. Failures
 * are logged, never thrown.
 */
export const scheduleDeliveries = (live: LiveFeed, logger: Logger, o: { coalesceMs?: number } = {}): BackgroundLiveFeed => {
  const coalesceMs = o.coalesceMs ?? COALESCE_MS;
  const queues = new Map<string, JobQueue>();

  const run = async (id: string, queue: JobQueue, key: JobKey) => {
    for (let task = queue.tasks[0]; task; task = queue.tasks[0]) {
      try {
        if (task.kind === 'deliver') {
          const wait = task.askedAt + coalesceMs - performance.now();
          // Asks arriving meanwhile fold into this task: it has not started.
          if (wait > 0) await sleep(wait);
          task.started = true;
          await live.deliver(key);
        } else {
          await live.notifyStatus(task.job, task.lastSeq);
        }
      } catch (err) {
        logger.warn({ err, jobId: key.jobId }, task.kind === 'deliver' ? 'live delivery failed' : 'status push failed');
      }
      queue.tasks.shift();
    }
    queues.delete(id);
  };

  const enqueue = (key: JobKey, task: Task) => {
    const id = jobKeyId(key);
    const queue = queues.get(id);
    if (queue) {
      const last = queue.tasks.at(-1);
      // A delivery not yet started will send what this one would: the pending re-run.
      if (task.kind === 'deliver' && last?.kind === 'deliver' && !last.started) return;
      queue.tasks.push(task);
      return;
    }
    const fresh: JobQueue = { tasks: [task], done: Promise.resolve() };
    queues.set(id, fresh);
    fresh.done = run(id, fresh, key);
  };

  return {
    subscribe: (caller, connectionId, jobId, afterSeq) => live.subscribe(caller, connectionId, jobId, afterSeq),
    remember: (key, stored) => live.remember(key, stored),
    deliver(key, stored?: readonly LogLine[]) {
      // Remembered now, so the pending pass (and a subscribe meanwhile) finds them in memory.
      if (stored) live.remember(key, stored);
      enqueue(key, { kind: 'deliver', started: false, askedAt: performance.now() });
      return Promise.resolve();
    },
    notifyStatus(job, lastSeq) {
      enqueue({ tenant: job.tenant, jobId: job.id }, { kind: 'status', job, ...(lastSeq !== undefined ? { lastSeq } : {}) });
      return Promise.resolve();
    },
    async idle(key) {
      for (let q = queues.get(jobKeyId(key)); q; q = queues.get(jobKeyId(key))) await q.done;
    },
  };
};
