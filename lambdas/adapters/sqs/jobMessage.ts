import { z } from 'zod';
import type { JobKey } from '../../core';
import { InvalidMessageError } from './errors';

// Unknown fields are tolerated (and dropped) so a newer producer can add fields
// without older dispatchers sending its messages to the DLQ.
const jobMessageSchema = z.object({
  tenant: z.string().min(1),
  jobId: z.string().min(1),
});

/**
 * Encodes the body of a job message, as producers send it and the dispatcher reads it.
 *
 * @example
 * encodeJobMessage({ tenant: 't1', jobId: 'j1' }); // '{"tenant":"t1","jobId":"j1"}'
 */
export const encodeJobMessage = (key: JobKey): string => JSON.stringify({ tenant: key.tenant, jobId: key.jobId });

/**
 * Decodes and validates a job message body.
 *
 * @throws InvalidMessageError when the body is not JSON or lacks a non-empty `tenant` or `jobId`.
 * @example
 * const key = decodeJobMessage(record.body);
 */
export const decodeJobMessage = (body: string): JobKey => {
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
  return { tenant: result.data.tenant, jobId: result.data.jobId };
};
