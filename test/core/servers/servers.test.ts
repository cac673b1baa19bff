import { describe, expect, it } from 'vitest';
import { ControlPlaneError } from '../../../lambdas/core/errors';
import { callerFactory } from '../../helpers/factories';
import { createFakeCipher } from '../../helpers/memory/createFakeCipher';
import { createFakeLauncher } from '../../helpers/memory/createFakeLauncher';
import { createFakeServerAccess } from '../../helpers/memory/createFakeServerAccess';
import { createHarness, errorOf, keyOf } from '../../helpers/memory/createHarness';

const acme = callerFactory();
const PEM = '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA-the-secret-key\n-----END OPENSSH PRIVATE KEY-----\n';
const request = { name: 'web1', host: 'web1.example', username: 'deploy', privateKey: PEM };

describe('servers', () => {
  it('stores the key only encrypted and never shows it', async () => {
    const h = createHarness();

    const created = await h.cp.servers.create(acme, { ...request, passphrase: 'hunter2-pass' });
    const stored = await h.store.servers.get('acme', created.id);

    expect(created).toEqual({
      id: expect.any(String),
      name: 'web1',
      host: 'web1.example',
      port: 22,
      username: 'deploy',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify(stored)).not.toContain('the-secret-key');
    expect(JSON.stringify(stored)).not.toContain('hunter2-pass');
  });

  it('accepts a key given as base64 of PEM and refuses one that is not a key, naming privateKey', async () => {
    const h = createHarness();

    await expect(h.cp.servers.create(acme, { ...request, privateKey: Buffer.from(PEM).toString('base64') })).resolves.toBeDefined();
    const err = (await errorOf(() => h.cp.servers.create(acme, { ...request, privateKey: 'not a key' }))) as ControlPlaneError;
    expect(err.code).toBe('invalid_input');
    expect(err.message).toMatch(/^privateKey/);
  });

  it('trusts the host key seen on first use, and keeps a pinned one', async () => {
    const h = createHarness({ serverAccess: createFakeServerAccess({ fingerprint: 'SHA256:seen' }) });
    const tofu = await h.cp.servers.create(acme, request);
    const pinned = await h.cp.servers.create(acme, { ...request, name: 'web2', hostKeyFingerprint: 'SHA256:pinned' });

    const tested = await h.cp.servers.test(acme, tofu.id);
    await h.cp.servers.test(acme, pinned.id);

    expect(tested).toEqual({ ok: true, fingerprint: 'SHA256:seen', latencyMs: 1, remoteUser: 'deploy' });
    expect(await h.cp.servers.get(acme, tofu.id)).toMatchObject({
      hostKeyFingerprint: 'SHA256:seen',
      hostKeyTrustedAt: expect.any(String),
    });
    expect((await h.cp.servers.get(acme, pinned.id)).hostKeyFingerprint).toBe('SHA256:pinned');
  });

  it('answers a failed test with its code and message instead of throwing', async () => {
    const h = createHarness({
      serverAccess: createFakeServerAccess({ fail: new ControlPlaneError('ssh_unreachable', 'web1.example:22: connection refused') }),
    });
    const server = await h.cp.servers.create(acme, request);

    expect(await h.cp.servers.test(acme, server.id)).toEqual({
      ok: false,
      error: { code: 'ssh_unreachable', message: 'web1.example:22: connection refused' },
    });
  });

  it('hides other tenants’ servers and forgets a learned host key when the host moves', async () => {
    const h = createHarness();
    const server = await h.cp.servers.create(acme, request);
    await h.cp.servers.test(acme, server.id);

    const moved = await h.cp.servers.update(acme, server.id, { host: 'web1-new.example' });

    expect(moved.hostKeyFingerprint).toBeUndefined();
    expect(((await errorOf(() => h.cp.servers.get(callerFactory({ tenant: 'globex' }), server.id))) as ControlPlaneError).code).toBe(
      'not_found',
    );
  });

  it('hands a dispatched ssh job its servers with decrypted keys', async () => {
    const h = createHarness();
    const a = await h.cp.servers.create(acme, request);
    const b = await h.cp.servers.create(acme, { ...request, name: 'web2' });
    const job = await h.cp.jobs.submit(acme, { runtime: 'bash', script: 'hostname', target: { type: 'ssh', serverIds: [a.id, b.id] } });

    await h.cp.dispatch(keyOf(job));

    expect(h.launcher.requests[0]!.servers?.map((s) => [s.name, s.privateKey])).toEqual([
      ['web1', PEM],
      ['web2', PEM],
    ]);
  });

  it('decrypts no server key nor secret for an ssh job its launcher hands over (the runner rebuilds the request)', async () => {
    const cipher = createFakeCipher();
    const decrypted: string[] = [];
    const launcher = createFakeLauncher();
    const h = createHarness({
      cipher: { ...cipher, decrypt: async (tenant, ciphertext) => (decrypted.push(ciphertext), cipher.decrypt(tenant, ciphertext)) },
      launcher: { ...launcher, handsOver: (job) => job.target?.type === 'ssh' },
    });
    const server = await h.cp.servers.create(acme, request);
    await h.cp.variables.put(acme, 'API_TOKEN', { value: 's3cr3t-value', secret: true });
    const ssh = await h.cp.jobs.submit(acme, {
      runtime: 'bash',
      script: 'hostname',
      env: { TOKEN: { fromVariable: 'API_TOKEN' } },
      target: { type: 'ssh', serverIds: [server.id] },
    });
    const local = await h.cp.jobs.submit(acme, { runtime: 'bash', script: 'hostname', env: { TOKEN: { fromVariable: 'API_TOKEN' } } });

    expect(await h.cp.dispatch(keyOf(ssh))).toBe('launched');
    const afterHandedOver = decrypted.length;
    await h.cp.dispatch(keyOf(local));

    expect(afterHandedOver).toBe(0);
    expect(launcher.requests[0]).toEqual({ job: expect.objectContaining({ id: ssh.id }), env: {}, workspace: {} });
    expect((await h.stored(ssh)).status).toBe('running');
    // A job the launcher runs itself still gets its secrets resolved.
    expect(decrypted.length).toBeGreaterThan(0);
    expect(launcher.requests[1]!.env).toEqual({ TOKEN: 's3cr3t-value' });
  });

  it('fails a job that names a server that does not exist, and rejects bad targets up front', async () => {
    const h = createHarness();
    const job = await h.cp.jobs.submit(acme, { runtime: 'bash', script: 'x', target: { type: 'ssh', serverIds: ['nope'] } });

    await h.cp.dispatch(keyOf(job));

    expect((await h.cp.jobs.get(acme, job.id)).error).toEqual({
      code: 'invalid_input',
      message: 'target.serverIds: server nope does not exist',
    });
    const http = (await errorOf(() =>
      h.cp.jobs.submit(acme, { runtime: 'http', http: { method: 'GET', url: 'https://x' }, target: { type: 'ssh', serverIds: ['a'] } }),
    )) as ControlPlaneError;
    const dup = (await errorOf(() =>
      h.cp.jobs.submit(acme, { runtime: 'bash', script: 'x', target: { type: 'ssh', serverIds: ['a', 'a'] } }),
    )) as ControlPlaneError;
    expect(http.message).toMatch(/^target/);
    expect(dup.message).toMatch(/^target\.serverIds/);
  });
});
