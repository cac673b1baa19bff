import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/core';
import { jsonResponse } from '../../../lambdas/handlers/http/jsonResponse';
import { createRouteTable, MethodNotAllowedError } from '../../../lambdas/handlers/http/createRouteTable';
import { restEvent } from '../fixtures';

const echo = async (_e: APIGatewayProxyEvent, params: Record<string, string>) => jsonResponse(200, params);

const router = createRouteTable()
  .on('GET', '/jobs', echo)
  .on('GET', '/jobs/:id', echo)
  .on('GET', '/jobs/:id/logs', echo)
  .on('PUT', '/variables/:key', echo)
  .on('GET', '/things/:name', echo);

const route = async (method: string, path: string) => {
  try {
    const res = await router.route(restEvent(method, path));
    return { status: res.statusCode, params: JSON.parse(res.body) as Record<string, string> };
  } catch (err) {
    return { error: err as ValidationError };
  }
};

describe('the REST route table', () => {
  it('hands a path parameter over as it arrived, without decoding it a second time', async () => {
    expect(await route('GET', '/jobs/01kb2c3d4e5f6g7h8j9k0m1n2p')).toEqual({ status: 200, params: { id: '01kb2c3d4e5f6g7h8j9k0m1n2p' } });
    expect((await route('GET', '/jobs/a%2541')).error).toBeInstanceOf(ValidationError);
  });

  it.each([
    ['a percent sign (what %25 decodes to)', '/jobs/%'],
    ['a malformed escape left as sent', '/jobs/%ZZ'],
    ['an invalid UTF-8 escape', '/jobs/%C0%AF'],
    ['a decoded non-ASCII character', '/jobs/\u00ff'],
    ['2,100 characters', `/jobs/${'a'.repeat(2100)}`],
    ['a space', '/jobs/a b/logs'],
  ])('refuses an id with %s as a 400 naming the id', async (_what, path) => {
    const { error } = await route('GET', path);

    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.message).toMatch(/^id: must be 1 to 128 letters, digits, _ or -$/);
  });

  it('checks a variable key by the variable key rule', async () => {
    expect(await route('PUT', '/variables/API_TOKEN.v2')).toEqual({ status: 200, params: { key: 'API_TOKEN.v2' } });
    expect((await route('PUT', '/variables/9lives')).error?.message).toMatch(/^key: must start with a letter/);
    expect((await route('PUT', `/variables/k${'x'.repeat(128)}`)).error?.message).toMatch(/^key: /);
  });

  it('bounds a parameter that has no rule of its own', async () => {
    expect(await route('GET', '/things/any.thing@all')).toMatchObject({ status: 200 });
    expect((await route('GET', `/things/${'n'.repeat(257)}`)).error?.message).toMatch(/^name: /);
    expect((await route('GET', '/things/a\u0000b')).error?.message).toMatch(/^name: /);
  });

  it.each(['/jobs/', '//jobs', '/jobs//logs', '/jobs/x/', '/'])('answers %s with not_found: paths match exactly', async (path) => {
    const { error } = await route('GET', path);

    expect(error).toMatchObject({ code: 'not_found' });
  });

  it('answers a known path with another method with method_not_allowed, before checking its parameters', async () => {
    expect((await route('DELETE', '/jobs/%')).error).toMatchObject({ code: 'method_not_allowed' });
  });

  it('lists the methods a known path has when it refuses another', async () => {
    const table = createRouteTable().on('GET', '/jobs', echo).on('POST', '/jobs', echo).on('GET', '/jobs/:id', echo);

    const error = await table.route(restEvent('DELETE', '/jobs')).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MethodNotAllowedError);
    expect((error as MethodNotAllowedError).allowed).toEqual(['GET', 'POST']);
  });
});
