import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiResponseObject } from 'zod-openapi';
import { ErrorCodes } from '../../core';

/**
 * The OpenAPI operations of one route group, keyed `METHOD /path/:param` exactly as the group
 * registers them in the route table, so a test can check that every route is documented.
 */
export type OpenApiRoutes = Record<string, ZodOpenApiOperationObject>;

/** Every error a handler or the gateway answers: `{error: {code, message}}`. */
export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ examples: [ErrorCodes.invalidInput, ErrorCodes.notFound] }),
      message: z.string(),
    }),
  })
  .meta({ id: 'Error', description: 'A typed error; `message` names the field at fault for a 400.' });

const errorMeaning: Record<number, string> = {
  400: 'invalid input: the message names the field',
  401: 'no API key, or an unknown one',
  403: 'the key may not do this',
  404: 'no such resource in this tenant',
  409: 'conflicts with the current state',
  503: 'a component is not ready',
};

/** A JSON body of `schema`. */
export const json = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

/** A `{items, nextCursor?}` page of `item`. */
export const pageOf = (item: z.ZodType) => z.object({ items: z.array(item), nextCursor: z.string().optional() });

/** `/x/{id}` path parameters. */
export const pathParams = (...names: string[]) => z.object(Object.fromEntries(names.map((n) => [n, z.string().min(1)])));

/**
 * One operation: its success response and the error statuses it can answer. Every route but the
 * public ones also answers 401 and 403 (the authorizer), added unless `auth` is false.
 */
export const operation = (o: {
  summary: string;
  tags: string[];
  params?: string[];
  query?: z.ZodObject;
  body?: z.ZodType;
  bodyRequired?: boolean;
  ok: { status: number; description: string; schema?: z.ZodType; contentType?: string };
  errors?: number[];
  auth?: boolean;
}): ZodOpenApiOperationObject => {
  const auth = o.auth ?? true;
  const responses: Record<string, ZodOpenApiResponseObject> = {
    [String(o.ok.status)]: {
      description: o.ok.description,
      ...(o.ok.schema ? { content: { [o.ok.contentType ?? 'application/json']: { schema: o.ok.schema } } } : {}),
    },
  };
  const statuses = new Set([...(o.errors ?? []), ...(o.body || o.query || o.params ? [400] : []), ...(auth ? [401, 403] : [])]);
  for (const status of [...statuses].sort()) {
    responses[String(status)] = { description: errorMeaning[status] ?? 'error', ...json(errorBodySchema) };
  }
  return {
    summary: o.summary,
    tags: o.tags,
    ...(auth ? {} : { security: [] }),
    ...(o.params || o.query
      ? { requestParams: { ...(o.params ? { path: pathParams(...o.params) } : {}), ...(o.query ? { query: o.query } : {}) } }
      : {}),
    ...(o.body ? { requestBody: { required: o.bodyRequired ?? true, ...json(o.body) } } : {}),
    responses: responses,
  };
};
