import { randomBytes } from 'node:crypto';
import type { Context } from 'aws-lambda';

/** Options of {@link createLambdaContext}. */
export interface LambdaContextOptions {
  functionName: string;
  awsRequestId: string;
  region: string;
  accountId: string;
  /** When the invocation's budget runs out (epoch ms). */
  deadline: number;
}

const unsupported = (name: string) => (): never => {
  throw new Error(`context.${name}() is not supported by the local gateway; return or throw instead`);
};

/** A minimal Lambda `Context` for one local invocation. */
export const createLambdaContext = (o: LambdaContextOptions): Context => {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: o.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${o.region}:${o.accountId}:function:${o.functionName}`,
    memoryLimitInMB: '128',
    awsRequestId: o.awsRequestId,
    logGroupName: `/aws/lambda/${o.functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, o.deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
};
