import { DecryptCommand } from '@aws-sdk/client-kms';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSshd, type SshdHandle } from '../helpers/sshd';
import { startAwsHome, type AwsHome } from './awsHome';

const RUNNER = 'Cronium-SshRunnerFunction-AbC123';
const LIMIT_SECONDS = 840;
const HELPERS = fileURLToPath(new URL('../../runtime-images/helpers', import.meta.url));

describe('ssh jobs on AWS: handed to a runner invocation that rebuilds the request', () => {
  let home: AwsHome;
  let sshd: SshdHandle;
  let serverId: string;
  let runner: { handler: (event: unknown, context: never) => Promise<unknown> };
  const lambda = mockClient(LambdaClient);

  beforeAll(async () => {
    sshd = await startSshd();
    vi.resetModules();
    home = await startAwsHome({
      env: { CRONIUM_RUNNER_FUNCTION: RUNNER, CRONIUM_RUNNER_TIMEOUT_SECONDS: String(LIMIT_SECONDS), CRONIUM_HELPERS_DIR: HELPERS },
    });
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    runner = await import('../../lambdas/handlers/jobRunner');
    const added = await home.rest('POST', '/servers', {
      name: 'web1',
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      privateKey: sshd.privateKeyPem,
    });
    expect(added.status).toBe(201);
    serverId = added.body.id as string;
  }, 60_000);
  afterAll(async () => {
    lambda.restore();
    await home?.stop();
    await sshd?.stop();
  });

  /** Submits an ssh job and dispatches it: returns the job id and the runner invocation. */
  const handedOver = async (job: Record<string, unknown>) => {
    const before = lambda.commandCalls(InvokeCommand).length;
    const submitted = await home.rest('POST', '/jobs', { ...job, target: { type: 'ssh', serverIds: [serverId] } });
    expect(submitted.status).toBe(202);
    expect((await home.dispatch()).batchItemFailures).toEqual([]);
    const calls = lambda.commandCalls(InvokeCommand).slice(before);
    expect(calls).toHaveLength(1);
    return { jobId: submitted.body.id as string, invoke: calls[0]!.args[0].input };
  };
  /** The test user's processes on the server whose command line contains `pattern`. */
  const remaining = (pattern: string): string => {
    try {
      return execFileSync('pgrep', ['-u', sshd.user, '-f', pattern], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const payloadText = (invoke: { Payload?: unknown }) => Buffer.from(invoke.Payload as Uint8Array).toString('utf8');

  it('hands over only the job key; the runner reads env, workspace and credentials itself, runs the script and pins the host key', async () => {
    const script = ['import cronium', 'print("hello over ssh", flush=True)', 'cronium.output({"n": cronium.input()["n"]})'].join('\n');
    const { jobId, invoke } = await handedOver({ runtime: 'python', script, input: { n: 7 } });

    expect(invoke).toMatchObject({ FunctionName: RUNNER, InvocationType: 'Event' });
    expect(JSON.parse(payloadText(invoke))).toEqual({ tenant: 'acme', jobId });
    expect(payloadText(invoke)).not.toMatch(/PRIVATE KEY/);

    expect(await runner.handler(JSON.parse(payloadText(invoke)), {} as never)).toEqual({ outcome: 'ran' });

    const job = (await home.rest('GET', `/jobs/${jobId}`)).body;
    expect(job).toMatchObject({ status: 'completed', output: { n: 7 } });
    const logs = (await home.rest('GET', `/jobs/${jobId}/logs`)).body;
    expect(JSON.stringify(logs)).toContain('hello over ssh');
    expect((await home.rest('GET', `/servers/${serverId}`)).body.hostKeyFingerprint).toBe(sshd.hostKeyFingerprint);
  }, 60_000);

  it('the dispatcher decrypts nothing for a job it hands over: the server key and secrets are decrypted once, in the runner', async () => {
    expect((await home.rest('PUT', '/variables/SSH_RUNNER_TOKEN', { value: 'tok-3141', secret: true })).status).toBeLessThan(300);
    const decrypts = () => home.mocks.kms.commandCalls(DecryptCommand).length;
    const before = decrypts();

    const { invoke } = await handedOver({ runtime: 'bash', script: 'echo "$T"', env: { T: { fromVariable: 'SSH_RUNNER_TOKEN' } } });
    const inDispatcher = decrypts() - before;
    expect(await runner.handler(JSON.parse(payloadText(invoke)), {} as never)).toEqual({ outcome: 'ran' });

    expect(inDispatcher).toBe(0);
    expect(decrypts() - before).toBeGreaterThanOrEqual(2); // the server's key and the secret variable, in the runner
  }, 60_000);

  it('stops the remote script when the job is cancelled through the API, which cannot reach the runner itself', async () => {
    const { jobId, invoke } = await handedOver({ runtime: 'bash', script: 'echo started; sleep 60' });
    const running = runner.handler(JSON.parse(payloadText(invoke)), {} as never);
    await vi.waitFor(async () => expect(JSON.stringify((await home.rest('GET', `/jobs/${jobId}/logs`)).body)).toContain('started'), {
      timeout: 15_000,
      interval: 200,
    });

    expect((await home.rest('POST', `/jobs/${jobId}/cancel`)).status).toBe(202);
    const started = Date.now();
    expect(await running).toEqual({ outcome: 'stopped' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await home.rest('GET', `/jobs/${jobId}`)).body.status).toBe('cancelled');
    // The remote process group was killed, not left running on the server.
    await vi.waitFor(() => expect(remaining('sleep 60')).toBe(''), { timeout: 10_000, interval: 200 });
  }, 60_000);

  it('refuses at submission an ssh job longer than the runner function allows, naming timeoutSeconds and the limit', async () => {
    const refused = await home.rest('POST', '/jobs', {
      runtime: 'bash',
      script: 'true',
      timeoutSeconds: 3600,
      target: { type: 'ssh', serverIds: [serverId] },
    });

    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('timeoutSeconds');
    expect(refused.body.error.message).toContain(String(LIMIT_SECONDS));
  });

  it('ends the job invalid_input when its server is gone by the time the runner prepares it', async () => {
    const other = await home.rest('POST', '/servers', {
      name: 'gone',
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      privateKey: sshd.privateKeyPem,
    });
    const before = lambda.commandCalls(InvokeCommand).length;
    const submitted = await home.rest('POST', '/jobs', {
      runtime: 'bash',
      script: 'true',
      target: { type: 'ssh', serverIds: [other.body.id] },
    });
    await home.dispatch();
    const invoke = lambda.commandCalls(InvokeCommand).slice(before)[0]!.args[0].input;
    expect((await home.rest('DELETE', `/servers/${other.body.id}`)).status).toBeLessThan(300);

    expect(await runner.handler(JSON.parse(payloadText(invoke)), {} as never)).toEqual({ outcome: 'not-prepared' });
    expect((await home.rest('GET', `/jobs/${submitted.body.id}`)).body).toMatchObject({ status: 'failed' });
  });
});
