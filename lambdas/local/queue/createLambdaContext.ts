import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { Clock } from '../../core/ports/runtime';

/** Options of {@link createLambdaContext}. */
export interface LambdaContextOptions {
  functionName: string;
  region: string;
  accountId: string;
  /** The invocation's time budget; `getRemainingTimeInMillis` counts down from it. */
  timeoutMs: number;
  /** @default 128 */
  memoryLimitInMB?: number;
  clock: Clock;
}

const noop = (): void => {};

/** A Lambda `Context` for one local invocation, with a fresh request id and a running deadline. */
export const createLambdaContext = (opts: LambdaContextOptions): Context => {
  const deadline = opts.clock.now() + opts.timeoutMs;
  const day = new Date(opts.clock.now()).toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: opts.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${opts.region}:${opts.accountId}:function:${opts.functionName}`,
    memoryLimitInMB: String(opts.memoryLimitInMB ?? 128),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${opts.functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - opts.clock.now()),
    done: noop,
    fail: noop,
    succeed: noop,
  };
};
