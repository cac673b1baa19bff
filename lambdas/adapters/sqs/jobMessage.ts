import { z } from 'zod';
import type { Job, JobKey } from '../../core';
import { InvalidMessageError } from './errors';

/**
 * The largest body that carries the job: one 64 KiB request unit of SQS (which bills a message
 * per 64 KiB), with room for the message's own fields. A larger job travels as its key alone and
 * the dispatch reads it.
 */
export const MAX_MESSAGE_WITH_JOB_BYTES = 60 * 1024;

/** A job message: the job's key and, when it was small enough, the job as its sender wrote it. */
export interface JobMessage extends JobKey {
  job?: Job;
}

// Unknown fields are tolerated (and dropped) so a newer producer can add fields
// without older dispatchers sending its messages to the DLQ.
const jobMessageSchema = z.object({
  tenant: z.string().min(1),
  jobId: z.string().min(1),
  job: z.unknown().optional(),
});

// Only what the dispatch relies on before its claim checks the rest (status and version).
const carriedJobSchema = z
  .object({ tenant: z.string(), id: z.string(), status: z.string(), version: z.number().int(), createdAt: z.string() })
  .passthrough();

/**
 * Encodes the body of a job message, as producers send it and the dispatcher reads it. `job` goes
 * in only while the body stays within MAX_MESSAGE_WITH_JOB_BYTES.
 *
 * @example
 * encodeJobMessage({ tenant: 't1', jobId: 'j1' }); // '{"tenant":"t1","jobId":"j1"}'
 */
export const encodeJobMessage = (key: JobKey, job?: Job): string => {
  const bare = JSON.stringify({ tenant: key.tenant, jobId: key.jobId });
  if (!job || job.tenant !== key.tenant || job.id !== key.jobId) return bare;
  const withJob = JSON.stringify({ tenant: key.tenant, jobId: key.jobId, job });
  return Buffer.byteLength(withJob) <= MAX_MESSAGE_WITH_JOB_BYTES ? withJob : bare;
};

/**
 * Decodes and validates a job message body. A carried job that is malformed or names another job
 * is dropped (the dispatch reads the job instead); the message itself stays good.
 *
 * @throws InvalidMessageError when the body is not JSON or lacks a non-empty `tenant` or `jobId`.
 * @example
 * const { tenant, jobId, job } = decodeJobMessage(record.body);
 */
export const decodeJobMessage = (body: string): JobMessage => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new InvalidMessageError('body is not JSON', { cause: error });
  }
  const result = jobMessageSchema.safeParse(parsed);
  if (!result.success) {
    const reason = result.error.issues
      .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
      .join('; ');
    throw new InvalidMessageError(reason, { cause: result.error });
  }
  const { tenant, jobId } = result.data;
  const carried = carriedJobSchema.safeParse(result.data.job);
  const job = carried.success && carried.data.tenant === tenant && carried.data.id === jobId ? (carried.data as unknown as Job) : undefined;
  return job ? { tenant, jobId, job } : { tenant, jobId };
};
