import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunnerServerAccess } from '../../lambdas/adapters/lambda-server-test';
import { createFakeServerAccess } from '../helpers/memory/createFakeServerAccess';

/** The Lambda Invoke API on 127.0.0.1, answering as `answer` says (or never). */
describe('createRunnerServerAccess against a Lambda endpoint on this machine', () => {
  let answer: (req: IncomingMessage, res: ServerResponse) => void = () => {};
  const requests: Array<{ url: string; body: string; invocationType: string | undefined }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', body, invocationType: req.headers['x-amz-invocation-type'] as string | undefined });
      answer(req, res);
    });
  });
  let client: LambdaClient;

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    client = new LambdaClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
  });
  afterAll(async () => {
    client.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const access = (timeoutMs?: number) =>
    createRunnerServerAccess({
      local: createFakeServerAccess(),
      client,
      functionName: () => 'Cronium-JobRunnerFunction-AbC123',
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });

  it('sends a RequestResponse invoke of the runner with tenant and server id, and returns its result', async () => {
    answer = (_req, res) =>
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ result: { ok: true, fingerprint: 'SHA256:x', latencyMs: 12, remoteUser: 'deploy' } }));
    requests.length = 0;

    expect(await access().testRemotely!('acme', 'srv_1')).toEqual({
      ok: true,
      fingerprint: 'SHA256:x',
      latencyMs: 12,
      remoteUser: 'deploy',
    });
    expect(requests).toEqual([
      {
        url: '/2015-03-31/functions/Cronium-JobRunnerFunction-AbC123/invocations',
        body: JSON.stringify({ kind: 'server-test', tenant: 'acme', serverId: 'srv_1' }),
        invocationType: 'RequestResponse',
      },
    ]);
  });

  it('gives up waiting at its time limit and answers ok: false with code timeout (the API Gateway limit is 29 s)', async () => {
    answer = () => {}; // the runner never answers
    const started = Date.now();

    expect(await access(300).testRemotely!('acme', 'srv_1')).toEqual({
      ok: false,
      error: { code: 'timeout', message: 'the connection test did not end within 0.3 s' },
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('validates keys and tests credentials it is given locally (the runner\u2019s own path)', async () => {
    const a = access();
    expect(() => a.validateKey('not a key')).toThrow(/privateKey/);
    await expect(
      a.test({ id: 'srv_1', name: 'web1', host: '127.0.0.1', port: 22, username: 'deploy', privateKey: '-----BEGIN' }),
    ).resolves.toMatchObject({ fingerprint: 'SHA256:fake' });
  });
});
