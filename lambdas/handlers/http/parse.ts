import type { z } from 'zod';
import { ValidationError } from '../../core';
import { reservedKeyProblem } from './jsonRules';

/** Body size the REST API accepts (API Gateway's own cap is 10 MB). */
export const MAX_BODY_BYTES = 1024 * 1024;

const fieldOf = (path: PropertyKey[]): string => path.map(String).join('.');

/**
 * Parses with zod; the first issue becomes a ValidationError naming its field.
 * @throws ValidationError
 */
export const parseWith = <T extends z.ZodType>(schema: T, value: unknown, root = ''): z.infer<T> => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const field = fieldOf([...(root ? [root] : []), ...(issue?.path ?? [])]) || root;
  throw new ValidationError(field, issue?.message ?? 'invalid');
};

/**
 * @throws ValidationError('body') for a missing, oversize or malformed JSON body; ValidationError
 * naming the field for an object key in RESERVED_KEYS at any depth.
 */
export const parseJsonBody = (body: string | null, isBase64Encoded = false): unknown => {
  const text = body && isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  if (!text) throw new ValidationError('body', 'a JSON body is required');
  if (Buffer.byteLength(text) > MAX_BODY_BYTES) throw new ValidationError('body', `larger than ${MAX_BODY_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError('body', 'malformed JSON');
  }
  const reserved = reservedKeyProblem(value);
  if (reserved) throw new ValidationError(fieldOf(reserved.path), reserved.message);
  return value;
};
