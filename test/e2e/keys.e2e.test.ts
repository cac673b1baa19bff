import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiClient, Harness } from './harness';
import { apiClient, openSocket, startHarness } from './harness';

describe('API keys over REST, as tenants and the operator meet them', () => {
  let h: Harness;
  /** The operator: the bootstrap key of tenant `default`. */
  let operator: ApiClient;
  let tenantA: { client: ApiClient; key: string; id: string };
  beforeAll(async () => {
    h = await startHarness();
    operator = h.admin;
    const { body } = await operator.post('/keys', { tenant: 'tenant-a', role: 'admin' });
    tenantA = { client: apiClient(h.local.url, body.key), key: body.key, id: body.id };
  });
  afterAll(async () => {
    await h?.close();
  });

  it("refuses tenant A's admin a key for tenant B with 403 naming the tenant, and lets it create its own", async () => {
    const forB = await tenantA.client.post('/keys', { tenant: 'tenant-b', role: 'admin' });
    const forDefault = await tenantA.client.post('/keys', { tenant: 'default', role: 'admin' });
    const operatorKey = await tenantA.client.post('/keys', { tenant: 'tenant-a', role: 'operator' });
    const own = await tenantA.client.post('/keys', { tenant: 'tenant-a' });

    expect(forB.status).toBe(403);
    expect(forB.body.error).toEqual({ code: 'forbidden', message: expect.stringMatching(/^tenant: /) });
    expect(forDefault.status).toBe(403);
    expect(operatorKey.status).toBe(403);
    expect(own.status).toBe(201);
    expect((await apiClient(h.local.url, own.body.key).get('/jobs')).status).toBe(200);
  });

  it('lets the operator create a key for tenant B, which works at once within tenant B only', async () => {
    const res = await operator.post('/keys', { tenant: 'tenant-b', role: 'admin' });
    const b = apiClient(h.local.url, res.body.key);

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: expect.any(String), tenant: 'tenant-b', role: 'admin', key: expect.stringMatching(/^crn_/) });
    expect((await b.get('/keys')).body.items.map((k: any) => k.tenant)).toEqual(['tenant-b']);
    expect((await b.get('/keys?tenant=tenant-a')).status).toBe(403);
  });

  it('lists keys without their secret or hash', async () => {
    const created = await tenantA.client.post('/keys', { tenant: 'tenant-a', role: 'user' });

    const own = await tenantA.client.get('/keys');
    const asOperator = await operator.get('/keys?tenant=tenant-a');

    expect(own.status).toBe(200);
    expect(own.body.items).toContainEqual({
      id: created.body.id,
      tenant: 'tenant-a',
      role: 'user',
      createdAt: created.body.createdAt,
      lastFour: created.body.key.slice(-4),
    });
    for (const item of own.body.items) expect(Object.keys(item).sort()).toEqual(['createdAt', 'id', 'lastFour', 'role', 'tenant']);
    const listed = JSON.stringify(own.body);
    expect(listed).not.toContain(created.body.key.replace(/^crn_/, ''));
    expect(listed).not.toContain(tenantA.key.replace(/^crn_/, ''));
    expect(listed).not.toMatch(/[0-9a-f]{64}/);
    expect(asOperator.body.items.map((k: any) => k.id).sort()).toEqual(own.body.items.map((k: any) => k.id).sort());
  });

  it('answers 401 to a revoked key at once, over REST and on the WebSocket handshake', async () => {
    // Arrange: the key was just used, so the authorizer's cache holds it.
    const created = await tenantA.client.post('/keys', { tenant: 'tenant-a', role: 'user' });
    const revoked = apiClient(h.local.url, created.body.key);
    expect((await revoked.get('/jobs')).status).toBe(200);

    // Act
    const res = await tenantA.client.del(`/keys/${created.body.id}`);

    // Assert
    expect(res.status).toBe(204);
    const after = await revoked.get('/jobs');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
    await expect(openSocket(h.local.wsUrl, created.body.key)).rejects.toThrow(/401/);
    expect((await tenantA.client.get('/keys')).body.items.map((k: any) => k.id)).not.toContain(created.body.id);
  });

  it("answers 404 to an admin revoking another tenant's key, while the operator may", async () => {
    const other = await operator.post('/keys', { tenant: 'tenant-c', role: 'user' });
    const otherClient = apiClient(h.local.url, other.body.key);

    const byAdmin = await tenantA.client.del(`/keys/${other.body.id}`);
    const stillWorks = await otherClient.get('/jobs');
    const byOperator = await operator.del(`/keys/${other.body.id}`);

    expect(byAdmin.status).toBe(404);
    expect(stillWorks.status).toBe(200);
    expect(byOperator.status).toBe(204);
    expect((await otherClient.get('/jobs')).status).toBe(401);
  });
});
