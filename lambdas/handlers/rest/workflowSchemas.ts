import { z } from 'zod';
import { EdgeConditions } from '../../core';
import { notifyRules } from './notifySchemas';
import { input } from './schemas';

const text = (max: number) =>
  z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const retries = z
  .object({
    max: z.number().int().min(0).max(10),
    backoffSeconds: z.number().min(0).max(3600),
    factor: z.number().min(1).max(10).optional(),
    maxBackoffSeconds: z.number().min(0).max(86_400).optional(),
  })
  .strict();

const node = z
  .object({
    id: z.string({ error: 'must be a string' }).regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1 to 64 letters, digits, _ or -'),
    eventId: text(128),
    input,
    timeoutSeconds: z.number().int('must be a whole number of seconds').positive().optional(),
    retries: retries.optional(),
  })
  .strict();

const edge = z.object({ from: text(64), to: text(64), when: z.enum(EdgeConditions) }).strict();

/** `POST /workflows` and `PUT /workflows/{id}`; graph rules (cycles, unknown nodes, events) are the core's. */
export const workflowBody = z
  .object({
    name: text(200),
    nodes: z.array(node).min(1, 'must have at least one node').max(50, 'must have at most 50 nodes'),
    edges: z.array(edge).max(200, 'must have at most 200 edges').optional(),
    notify: notifyRules.optional(),
  })
  .strict();

export const startRunBody = z.object({ input }).strict();

export const listWorkflowsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).optional(),
});
