import { describe, expect, it } from 'vitest';
import { createControlPlane } from '../../lambdas/core';
import { createRestHandler } from '../../lambdas/handlers/rest';
import { createTestDeps } from '../helpers/memory/createTestDeps';
import { fakeContext, restEvent } from './fixtures';

const setup = () => {
  const deps = createTestDeps();
  const cp = createControlPlane(deps);
  const handler = createRestHandler(cp, deps.logger);
  const call = async (...args: Parameters<typeof restEvent>) => {
    const res = await handler(restEvent(...args), fakeContext);
    return { status: res.statusCode, body: res.body ? JSON.parse(res.body) : undefined };
  };
  return { cp, call };
};

describe('the REST key routes', () => {
  it('answers an admin creating a key for another tenant with 403 naming the tenant', async () => {
    const { call } = setup();

    const res = await call('POST', '/keys', { body: { tenant: 'globex' }, tenant: 'acme', role: 'admin' });

    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({ code: 'forbidden', message: expect.stringMatching(/^tenant: /) });
  });

  it('answers an admin asking for an operator key with 403 naming the role', async () => {
    const { call } = setup();

    const res = await call('POST', '/keys', { body: { tenant: 'acme', role: 'operator' }, tenant: 'acme', role: 'admin' });

    expect(res.status).toBe(403);
    expect(res.body.error.message).toMatch(/^role: /);
  });

  it('names the role field when it is not a role', async () => {
    const { call } = setup();

    const res = await call('POST', '/keys', { body: { tenant: 'acme', role: 'root' }, tenant: 'acme', role: 'admin' });

    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('role: must be one of operator, admin, user');
  });

  it("lists the admin's own tenant's keys without secret or hash", async () => {
    const { call, cp } = setup();
    const issued = await cp.auth.issue('acme', 'user');
    await cp.auth.issue('globex', 'user');

    const res = await call('GET', '/keys', { tenant: 'acme', role: 'admin' });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [{ id: issued.id, tenant: 'acme', role: 'user', createdAt: issued.createdAt, lastFour: issued.key.slice(-4) }],
    });
  });

  it('lists the tenant an operator names, and refuses that to an admin', async () => {
    const { call, cp } = setup();
    const issued = await cp.auth.issue('globex', 'admin');

    const byOperator = await call('GET', '/keys', { query: { tenant: 'globex' }, tenant: 'default', role: 'operator' });
    const byAdmin = await call('GET', '/keys', { query: { tenant: 'globex' }, tenant: 'acme', role: 'admin' });

    expect(byOperator.body.items.map((k: { id: string }) => k.id)).toEqual([issued.id]);
    expect(byAdmin.status).toBe(403);
    expect(byAdmin.body.error.message).toMatch(/^tenant: /);
  });

  it('revokes a key with 204, after which the key no longer authenticates', async () => {
    const { call, cp } = setup();
    const issued = await cp.auth.issue('acme', 'user');
    await cp.auth.authenticate(issued.key);

    const res = await call('DELETE', `/keys/${issued.id}`, { tenant: 'acme', role: 'admin' });

    expect(res.status).toBe(204);
    await expect(cp.auth.authenticate(issued.key)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it("answers an admin revoking another tenant's key with 404, and an operator with 204", async () => {
    const { call, cp } = setup();
    const issued = await cp.auth.issue('globex', 'user');

    const byAdmin = await call('DELETE', `/keys/${issued.id}`, { tenant: 'acme', role: 'admin' });
    const byOperator = await call('DELETE', `/keys/${issued.id}`, { tenant: 'default', role: 'operator' });

    expect(byAdmin.status).toBe(404);
    expect(byOperator.status).toBe(204);
  });

  it('refuses the key routes to a user key with 403', async () => {
    const { call, cp } = setup();
    const issued = await cp.auth.issue('acme', 'user');

    expect((await call('GET', '/keys', { tenant: 'acme', role: 'user' })).status).toBe(403);
    expect((await call('DELETE', `/keys/${issued.id}`, { tenant: 'acme', role: 'user' })).status).toBe(403);
  });

  it('treats an authorizer context with an unknown role as unauthenticated', async () => {
    const { call } = setup();

    const res = await call('GET', '/keys', { tenant: 'acme', role: 'root' });

    expect(res.status).toBe(401);
  });
});
