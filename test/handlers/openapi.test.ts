import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { createControlPlane, Runtimes } from '../../lambdas/core';
import { createRestHandler } from '../../lambdas/handlers/rest';
import { createRestRouter } from '../../lambdas/handlers/rest/createRestRouter';
import { openApiDocument } from '../../lambdas/handlers/rest/openapiDocument';
import { createTestDeps } from '../helpers/memory/createTestDeps';
import { fakeContext, restEvent } from './fixtures';

const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('the OpenAPI document', () => {
  const doc = openApiDocument() as { openapi: string; paths: Record<string, Record<string, any>> };

  it('documents every route of the route table, with its method', () => {
    const routes = createRestRouter(createControlPlane(createTestDeps())).routes();

    const missing = routes.filter((r) => !doc.paths[openApiPath(r.path)]?.[r.method.toLowerCase()]).map((r) => `${r.method} ${r.path}`);

    expect(routes.length).toBeGreaterThan(30);
    expect(missing).toEqual([]);
  });

  it('documents no route the table lacks', () => {
    const routes = new Set(
      createRestRouter(createControlPlane(createTestDeps()))
        .routes()
        .map((r) => `${r.method} ${openApiPath(r.path)}`),
    );

    const extra = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .map((method) => `${method.toUpperCase()} ${path}`)
        .filter((key) => !routes.has(key)),
    );

    expect(extra).toEqual([]);
  });

  it('validates as OpenAPI 3.1', async () => {
    const validator = new Validator();

    const result = await validator.validate(structuredClone(doc));

    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('takes request bodies from the zod schemas that validate them, field rules included', () => {
    const body = doc.paths['/jobs']!['post'].requestBody.content['application/json'].schema;
    const schema = body.$ref ? undefined : body;

    expect(schema?.required).toEqual(['runtime']);
    expect(schema?.properties.runtime.enum).toEqual([...Runtimes]);
    expect(schema?.additionalProperties).toBe(false);
  });

  it("documents GET /jobs's filters: runtime from the model, since and until as date-times", () => {
    const params = Object.fromEntries((doc.paths['/jobs']!['get'].parameters as any[]).map((p) => [p.name, p]));

    expect(Object.keys(params)).toEqual(['status', 'eventId', 'runtime', 'since', 'until', 'limit', 'cursor']);
    expect(params['runtime'].schema.enum).toEqual([...Runtimes]);
    expect(params['since'].schema.format).toBe('date-time');
    expect(params['until'].schema.format).toBe('date-time');
    expect(doc.paths['/jobs']!['get'].responses['400']).toBeDefined();
  });

  it('gives every authenticated operation its error shape and the public ones no security', () => {
    const jobGet = doc.paths['/jobs/{id}']!['get'];
    const health = doc.paths['/health']!['get'];

    expect(Object.keys(jobGet.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404']));
    expect(jobGet.responses['404'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
    expect(jobGet.parameters).toEqual([expect.objectContaining({ in: 'path', name: 'id', required: true })]);
    expect(health.security).toEqual([]);
  });

  it('is served at GET /openapi.json without an API key', async () => {
    const handler = createRestHandler(createControlPlane(createTestDeps()));

    const res = await handler(restEvent('GET', '/openapi.json'), fakeContext);

    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ openapi: '3.1.0', paths: expect.objectContaining({ '/jobs': expect.anything() }) });
  });
});
