import { z } from 'zod';
import { VARIABLE_KEY, type JsonTemplate } from '../../core';

/** Most characters of one template (URL, text, subject…). */
const MAX_TEMPLATE = 16 * 1024;

const template = z.string({ error: 'must be a string (a Mustache template)' }).min(1, 'must not be empty').max(MAX_TEMPLATE);

const variableName = z.string({ error: 'must name a variable' }).regex(VARIABLE_KEY, 'must be a variable key (letters, digits, _ . -)');

/** Headers Cronium sets itself on a webhook. */
const MANAGED_HEADERS = [
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'upgrade',
  'x-cronium-signature',
  'x-cronium-timestamp',
];

const jsonTemplate: z.ZodType<JsonTemplate> = z.lazy(() =>
  z.union([z.string().max(MAX_TEMPLATE), z.number(), z.boolean(), z.null(), z.array(jsonTemplate), z.record(z.string(), jsonTemplate)]),
);

const webhook = z
  .object({
    action: z.literal('webhook'),
    url: template.refine((u) => /^https?:\/\//i.test(u), 'must be an http or https URL (a template)'),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'], { error: 'must be one of GET, POST, PUT, PATCH, DELETE' }).optional(),
    headers: z
      .record(z.string(), template)
      .refine(
        (h) => !Object.keys(h).some((k) => MANAGED_HEADERS.includes(k.toLowerCase())),
        'must not set Host, Content-Length, Connection or X-Cronium-*',
      )
      .optional(),
    body: jsonTemplate.optional(),
  })
  .strict();

const chat = z.object({ action: z.enum(['slack', 'discord']), urlFromVariable: variableName, text: template }).strict();

const email = z
  .object({
    action: z.literal('email'),
    smtpFromVariable: variableName,
    from: template.optional(),
    to: template,
    subject: template,
    text: template,
  })
  .strict();

/** A tool action, as a tool job's `tool` and a notify rule's `action` (docs/notifications.md). */
export const toolAction = z.union([webhook, chat, email], {
  error: 'must be {action: "webhook"|"slack"|"discord"|"email", …} with the fields of that action',
});
