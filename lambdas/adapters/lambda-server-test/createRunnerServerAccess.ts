import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { ControlPlaneError, ErrorCodes } from '../../core';
import type { ErrorCode, ServerAccess, ServerTestResult } from '../../core';

/** What the runner function is invoked with for a connection test: whose server, never its key. */
export interface ServerTestInvocation {
  kind: 'server-test';
  tenant: string;
  serverId: string;
}

/** What the runner answers: the test's result, or the error the core raised there (not_found…). */
export type ServerTestAnswer = { result: ServerTestResult } | { error: { code: ErrorCode; message: string } };

export interface RunnerServerAccessOptions {
  /** Validates keys here, and runs the test itself where the runner calls it. */
  local: ServerAccess;
  client: LambdaClient;
  /** The runner function's name or ARN; read at the first test. */
  functionName: () => string;
  /**
   * How long the API waits for the runner's answer: below API Gateway's 29 s, above the SSH connect
   * timeout (10 s) and a cold start in the VPC. @default 25_000
   */
  timeoutMs?: number;
}

/** Thrown when the runner could not answer (throttled, crashed, an answer of another shape): a 500. */
export class ServerTestInvokeError extends Error {
  override readonly name = 'ServerTestInvokeError';
}

const isAnswer = (v: unknown): v is ServerTestAnswer => {
  if (typeof v !== 'object' || v === null) return false;
  const { result, error } = v as { result?: { ok?: unknown }; error?: { code?: unknown; message?: unknown } };
  if (result !== undefined) return typeof result === 'object' && result !== null && typeof result.ok === 'boolean';
  return typeof error === 'object' && error !== null && typeof error.code === 'string' && typeof error.message === 'string';
};

/**
 * The API's connection test, run in the runner function (synchronous invoke): on AWS the runner sits
 * in the private subnets behind the NAT address, where ssh jobs connect from, so the test reaches
 * what jobs reach and pins the host key jobs will see. The payload names the server only; the runner
 * reads and decrypts the key itself, as for a job (jobRunner.ts).
 */
export const createRunnerServerAccess = (o: RunnerServerAccessOptions): ServerAccess => {
  const timeoutMs = o.timeoutMs ?? 25_000;
  return {
    validateKey: (privateKey, passphrase) => o.local.validateKey(privateKey, passphrase),
    test: (server) => o.local.test(server),
    async testRemotely(tenant, serverId) {
      const payload: ServerTestInvocation = { kind: 'server-test', tenant, serverId };
      let answer;
      try {
        answer = await o.client.send(
          new InvokeCommand({ FunctionName: o.functionName(), InvocationType: 'RequestResponse', Payload: JSON.stringify(payload) }),
          { abortSignal: AbortSignal.timeout(timeoutMs) },
        );
      } catch (err) {
        if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
          return {
            ok: false,
            error: { code: ErrorCodes.timeout, message: `the connection test did not end within ${timeoutMs / 1000} s` },
          };
        }
        throw err;
      }
      const text = answer.Payload === undefined ? '' : Buffer.from(answer.Payload).toString('utf8');
      if (answer.FunctionError) throw new ServerTestInvokeError(`the runner function failed the server test: ${text.slice(0, 500)}`);
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (!isAnswer(body)) throw new ServerTestInvokeError(`the runner function answered the server test with ${text.slice(0, 200)}`);
      if ('error' in body) throw new ControlPlaneError(body.error.code, body.error.message);
      return body.result;
    },
  };
};
