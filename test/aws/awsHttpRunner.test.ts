import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAwsHome, type AwsHome } from './awsHome';

const RUNNER = 'Cronium-JobRunnerFunction-AbC123';
const LIMIT_SECONDS = 840;

describe('http jobs on AWS: one runner invocation per job', () => {
  let home: AwsHome;
  let server: Server;
  let base: string;
  let runner: { handler: (event: unknown, context: never) => Promise<unknown> };
  const lambda = mockClient(LambdaClient);

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"hello":"world"}');
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 30_000);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    vi.resetModules();
    home = await startAwsHome({
      env: {
        CRONIUM_RUNNER_FUNCTION: RUNNER,
        CRONIUM_HTTP_ALLOW: '127.0.0.1/32',
        CRONIUM_RUNNER_TIMEOUT_SECONDS: String(LIMIT_SECONDS),
        CRONIUM_SSH_TARGETS: 'off',
      },
    });
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    runner = await import('../../lambdas/handlers/jobRunner');
  });
  afterAll(async () => {
    lambda.restore();
    await home?.stop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  /** Submits an http job and dispatches it: returns the job id and what the dispatcher invoked the runner with. */
  const handedOver = async (http: Record<string, unknown>) => {
    const before = lambda.commandCalls(InvokeCommand).length;
    const submitted = await home.rest('POST', '/jobs', { runtime: 'http', http: { method: 'GET', ...http } });
    expect(submitted.status).toBe(202);
    expect((await home.dispatch()).batchItemFailures).toEqual([]);
    const calls = lambda.commandCalls(InvokeCommand).slice(before);
    expect(calls).toHaveLength(1);
    return { jobId: submitted.body.id as string, invoke: calls[0]!.args[0].input };
  };
  const payloadOf = (invoke: { Payload?: unknown }) => JSON.parse(Buffer.from(invoke.Payload as Uint8Array).toString('utf8')) as unknown;

  it('hands the job to an asynchronous runner invocation carrying only its key, and the runner runs it to completed', async () => {
    const { jobId, invoke } = await handedOver({ url: `${base}/ok` });

    expect(invoke).toMatchObject({ FunctionName: RUNNER, InvocationType: 'Event' });
    expect(payloadOf(invoke)).toEqual({ tenant: 'acme', jobId });
    expect((await home.rest('GET', `/jobs/${jobId}`)).body.status).toBe('running');

    expect(await runner.handler(payloadOf(invoke), {} as never)).toEqual({ outcome: 'ran' });
    const job = (await home.rest('GET', `/jobs/${jobId}`)).body;
    expect(job).toMatchObject({ status: 'completed', exitCode: 0, output: { status: 200, body: '{"hello":"world"}' } });
  });

  it('does nothing when the same invocation arrives again after the job ended', async () => {
    const { invoke } = await handedOver({ url: `${base}/ok` });
    await runner.handler(payloadOf(invoke), {} as never);

    expect(await runner.handler(payloadOf(invoke), {} as never)).toEqual({ outcome: 'not-running' });
  });

  it('aborts the request when the job is cancelled through the API, which cannot reach the runner itself', async () => {
    const { jobId, invoke } = await handedOver({ url: `${base}/slow` });
    const running = runner.handler(payloadOf(invoke), {} as never);
    await new Promise((r) => setTimeout(r, 200));

    expect((await home.rest('POST', `/jobs/${jobId}/cancel`)).status).toBe(202);
    const started = Date.now();
    expect(await running).toEqual({ outcome: 'stopped' });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await home.rest('GET', `/jobs/${jobId}`)).body.status).toBe('cancelled');
  });

  it('refuses at submission a time limit the runner function cannot honour, naming timeoutSeconds and the limit; the default fits', async () => {
    const refused = await home.rest('POST', '/jobs', { runtime: 'http', timeoutSeconds: 3600, http: { method: 'GET', url: `${base}/ok` } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('timeoutSeconds');
    expect(refused.body.error.message).toContain(String(LIMIT_SECONDS));

    const fits = await home.rest('POST', '/jobs', { runtime: 'http', http: { method: 'GET', url: `${base}/ok` } });
    expect(fits.status).toBe(202);
    expect(fits.body.timeoutSeconds).toBeLessThanOrEqual(LIMIT_SECONDS);
  });

  it('refuses an ssh target where the stack was deployed without the ssh runner (cronium:ssh=false), instead of running it in a container', async () => {
    const refused = await home.rest('POST', '/jobs', { runtime: 'bash', script: 'hostname', target: { type: 'ssh', serverIds: ['s1'] } });

    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toMatch(/target.*ssh targets are not available/);
  });

  it('drops, with a log line, an invocation that carries no job key', async () => {
    expect(await runner.handler({ tenant: 'acme' }, {} as never)).toEqual({ outcome: 'invalid' });
  });
});
