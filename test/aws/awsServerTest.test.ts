import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DecryptCommand } from '@aws-sdk/client-kms';
import { InvokeCommand, LambdaClient, type InvokeCommandInput } from '@aws-sdk/client-lambda';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSshd, type SshdHandle } from '../helpers/sshd';
import { startAwsHome, type AwsHome } from './awsHome';

const RUNNER = 'Cronium-JobRunnerFunction-AbC123';

type RunnerModule = { handler: (event: unknown, context: never) => Promise<unknown> };

const payloadOf = (input: InvokeCommandInput): unknown => JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8'));
const encoded = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** A port on 127.0.0.1 where nothing listens (bound, then closed). */
const closedPort = async (): Promise<number> => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
};

describe('POST /servers/{id}/test on AWS: run in the runner function, where ssh jobs connect from', () => {
  let home: AwsHome;
  let sshd: SshdHandle;
  let runner: RunnerModule;
  let lambda: AwsClientStub<LambdaClient>;
  /** KMS Decrypt calls made inside runner invocations (the rest were made by the REST function). */
  let decryptsInRunner = 0;
  /** What the next synchronous invocation answers instead of running the runner. */
  let override: { FunctionError?: string; Payload: Uint8Array } | undefined;

  const addServer = async (server: Record<string, unknown> = {}) => {
    const added = await home.rest('POST', '/servers', {
      name: 'web1',
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      privateKey: sshd.privateKeyPem,
      ...server,
    });
    expect(added.status).toBe(201);
    return added.body.id as string;
  };
  const syncInvokes = () => lambda.commandCalls(InvokeCommand).filter((c) => c.args[0].input.InvocationType === 'RequestResponse');

  beforeAll(async () => {
    sshd = await startSshd();
    vi.resetModules();
    home = await startAwsHome({ env: { CRONIUM_RUNNER_FUNCTION: RUNNER } });
    runner = await import('../../lambdas/handlers/jobRunner');
    lambda = mockClient(LambdaClient);
    // The Lambda service, as far as the REST function sees it: a synchronous invoke runs the runner's entry point.
    lambda.on(InvokeCommand).callsFake(async (input: InvokeCommandInput) => {
      if (input.InvocationType !== 'RequestResponse') return { StatusCode: 202 };
      if (override) return { StatusCode: 200, ...override };
      const before = home.mocks.kms.commandCalls(DecryptCommand).length;
      const answer = await runner.handler(payloadOf(input), {} as never);
      decryptsInRunner += home.mocks.kms.commandCalls(DecryptCommand).length - before;
      return { StatusCode: 200, Payload: encoded(answer) };
    });
  }, 60_000);
  afterAll(async () => {
    lambda?.restore();
    await home?.stop();
    await sshd?.stop();
  });

  describe('the runner entry point, server-test event', () => {
    it('reads and decrypts the key itself, connects to the real sshd and pins the host key on first use', async () => {
      const serverId = await addServer();
      const before = home.mocks.kms.commandCalls(DecryptCommand).length;

      const answer = await runner.handler({ kind: 'server-test', tenant: 'acme', serverId }, {} as never);

      expect(answer).toEqual({
        result: { ok: true, fingerprint: sshd.hostKeyFingerprint, latencyMs: expect.any(Number), remoteUser: sshd.user },
      });
      expect(home.mocks.kms.commandCalls(DecryptCommand).length - before).toBe(1);
      const stored = (await home.rest('GET', `/servers/${serverId}`)).body;
      expect(stored).toMatchObject({ hostKeyFingerprint: sshd.hostKeyFingerprint, hostKeyTrustedAt: expect.any(String) });
    }, 30_000);

    it('answers a failure to connect as a result, and an unknown server as not_found', async () => {
      const down = await addServer({ name: 'down', port: await closedPort() });

      expect(await runner.handler({ kind: 'server-test', tenant: 'acme', serverId: down }, {} as never)).toEqual({
        result: { ok: false, error: { code: 'ssh_unreachable', message: expect.any(String) } },
      });
      // Tenants stay apart: another tenant's id is not found.
      expect(await runner.handler({ kind: 'server-test', tenant: 'other', serverId: down }, {} as never)).toEqual({
        error: { code: 'not_found', message: `server ${down} not found` },
      });
    }, 30_000);

    it('refuses a payload that carries anything but the tenant and the server id (a key never travels)', async () => {
      const serverId = await addServer({ name: 'strict' });
      for (const event of [
        { kind: 'server-test', tenant: 'acme', serverId, privateKey: sshd.privateKeyPem },
        { kind: 'server-test', tenant: 'acme' },
        { kind: 'server-test', tenant: '', serverId },
        { kind: 'server-probe', tenant: 'acme', serverId },
      ]) {
        expect(await runner.handler(event, {} as never)).toEqual({ outcome: 'invalid' });
      }
    });
  });

  describe('the REST function, through the AWS composition', () => {
    it('invokes the runner synchronously with only tenant and server id, decrypts nothing itself, and answers as the local home does', async () => {
      const serverId = await addServer({ name: 'rest' });
      const invokesBefore = syncInvokes().length;
      const decryptsBefore = home.mocks.kms.commandCalls(DecryptCommand).length;
      decryptsInRunner = 0;

      const tested = await home.rest('POST', `/servers/${serverId}/test`);

      expect(tested).toEqual({
        status: 200,
        body: { ok: true, fingerprint: sshd.hostKeyFingerprint, latencyMs: expect.any(Number), remoteUser: sshd.user },
      });
      const calls = syncInvokes().slice(invokesBefore);
      expect(calls).toHaveLength(1);
      const input = calls[0]!.args[0].input;
      expect(input).toMatchObject({ FunctionName: RUNNER, InvocationType: 'RequestResponse' });
      expect(payloadOf(input)).toEqual({ kind: 'server-test', tenant: 'acme', serverId });
      // The key was decrypted once, in the runner; the REST function decrypted nothing.
      expect(home.mocks.kms.commandCalls(DecryptCommand).length - decryptsBefore).toBe(1);
      expect(decryptsInRunner).toBe(1);
      expect((await home.rest('GET', `/servers/${serverId}`)).body.hostKeyFingerprint).toBe(sshd.hostKeyFingerprint);
    }, 30_000);

    it('answers a server the runner cannot reach, or whose key changed, with ok: false and the code', async () => {
      const down = await addServer({ name: 'rest-down', port: await closedPort() });
      expect(await home.rest('POST', `/servers/${down}/test`)).toEqual({
        status: 200,
        body: { ok: false, error: { code: 'ssh_unreachable', message: expect.any(String) } },
      });

      const moved = await addServer({ name: 'rest-moved', hostKeyFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
      expect(await home.rest('POST', `/servers/${moved}/test`)).toEqual({
        status: 200,
        body: { ok: false, error: { code: 'host_key_mismatch', message: expect.any(String) } },
      });
    }, 30_000);

    it('answers 404 for an unknown server without invoking the runner', async () => {
      const before = syncInvokes().length;
      expect(await home.rest('POST', '/servers/srv_missing/test')).toEqual({
        status: 404,
        body: { error: { code: 'not_found', message: 'server srv_missing not found' } },
      });
      expect(syncInvokes().length).toBe(before);
    });

    it('passes the runner\u2019s not_found through (a server deleted while the test was on its way)', async () => {
      const serverId = await addServer({ name: 'rest-gone' });
      override = { Payload: encoded({ error: { code: 'not_found', message: `server ${serverId} not found` } }) };
      try {
        expect(await home.rest('POST', `/servers/${serverId}/test`)).toEqual({
          status: 404,
          body: { error: { code: 'not_found', message: `server ${serverId} not found` } },
        });
      } finally {
        override = undefined;
      }
    });

    it('answers a bare 500 when the runner function itself failed, showing nothing of its error', async () => {
      const serverId = await addServer({ name: 'rest-crash' });
      override = { FunctionError: 'Unhandled', Payload: encoded({ errorType: 'Error', errorMessage: 'boom' }) };
      try {
        expect(await home.rest('POST', `/servers/${serverId}/test`)).toEqual({
          status: 500,
          body: { error: { code: 'internal', message: 'internal error' } },
        });
      } finally {
        override = undefined;
      }
    });
  });
});

describe('POST /servers/{id}/test on AWS without the SSH runner (cronium:ssh=false)', () => {
  let home: AwsHome;
  let lambda: AwsClientStub<LambdaClient>;

  beforeAll(async () => {
    vi.resetModules();
    home = await startAwsHome({ env: { CRONIUM_SSH_TARGETS: 'off' } });
    lambda = mockClient(LambdaClient);
    lambda.on(InvokeCommand).rejects(new Error('no invoke is allowed here'));
  });
  afterAll(async () => {
    lambda?.restore();
    await home?.stop();
  });

  it('answers 400 saying the deployment has no SSH runner, as an ssh job does, and invokes nothing', async () => {
    const added = await home.rest('POST', '/servers', {
      name: 'web1',
      host: '127.0.0.1',
      port: 22,
      username: 'deploy',
      privateKey: generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      }).privateKey,
    });
    expect(added.status).toBe(201);

    const tested = await home.rest('POST', `/servers/${added.body.id as string}/test`);

    expect(tested.status).toBe(400);
    expect(tested.body.error).toEqual({
      code: 'invalid_input',
      message: 'server tests are not available on this deployment (it was deployed without the SSH runner)',
    });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });
});
