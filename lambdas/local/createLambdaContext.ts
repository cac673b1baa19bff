import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { Clock } from '../core';

/** Options of {@link createLambdaContext}. */
export interface LambdaContextOptions {
  functionName: string;
  region: string;
  accountId: string;
  /** The invocation's time budget; `getRemainingTimeInMillis` counts down from it. */
  timeoutMs: number;
  /** @default a fresh UUID */
  awsRequestId?: string;
  /** @default 128 */
  memoryLimitInMB?: number;
  /** @default the system clock */
  clock?: Clock;
}

const unsupported = (name: string) => (): never => {
  throw new Error(`context.${name}() is not supported locally; return or throw instead`);
};

/** A Lambda `Context` for one local invocation (gateway or queue poller), with a running deadline. */
export const createLambdaContext = (o: LambdaContextOptions): Context => {
  const now = () => (o.clock ? o.clock.now() : Date.now());
  const deadline = now() + o.timeoutMs;
  const day = new Date(now()).toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: o.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${o.region}:${o.accountId}:function:${o.functionName}`,
    memoryLimitInMB: String(o.memoryLimitInMB ?? 128),
    awsRequestId: o.awsRequestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${o.functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
};
