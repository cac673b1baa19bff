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

/**
 * One log stream per function name for the life of the process, named on its first invocation, as
 * a warm Lambda execution environment keeps the stream it started with across its invocations
 * (and no date formatting or random bytes per invocation).
 */
const streams = new Map<string, string>();
const streamOf = (functionName: string, nowMs: number): string => {
  let stream = streams.get(functionName);
  if (stream === undefined) {
    const day = new Date(nowMs).toISOString().slice(0, 10).replaceAll('-', '/');
    stream = `${day}/[$LATEST]${randomBytes(16).toString('hex')}`;
    streams.set(functionName, stream);
  }
  return stream;
};

const unsupported = (name: string) => (): never => {
  throw new Error(`context.${name}() is not supported locally; return or throw instead`);
};

/** A Lambda `Context` for one local invocation (gateway or queue poller), with a running deadline. */
export const createLambdaContext = (o: LambdaContextOptions): Context => {
  const now = () => (o.clock ? o.clock.now() : Date.now());
  const started = now();
  const deadline = started + o.timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: o.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${o.region}:${o.accountId}:function:${o.functionName}`,
    memoryLimitInMB: String(o.memoryLimitInMB ?? 128),
    awsRequestId: o.awsRequestId ?? randomUUID(),
    logGroupName: `/aws/lambda/${o.functionName}`,
    logStreamName: streamOf(o.functionName, started),
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
};
