import type { Context } from 'aws-lambda';
import { IntegrationTimeoutError } from './errors';
import { newRequestId } from './ids';
import { createLambdaContext } from '../createLambdaContext';
import type { GatewaySettings } from './resolveSettings';

/** Options of {@link invokeHandler}. */
export interface InvokeOptions<E, R> {
  handler: (event: E, context: Context) => Promise<R>;
  event: E;
  /** Names the fake function in the context and in errors (`cronium-local-rest`…). */
  functionName: string;
  settings: GatewaySettings;
}

/**
 * Calls a handler the way one Lambda invocation would: fresh context, a deadline of `timeoutMs`.
 * A handler still running at the deadline is abandoned, not stopped, like API Gateway's 29 s cut-off.
 * @throws IntegrationTimeoutError past the deadline; whatever the handler throws otherwise.
 */
export const invokeHandler = async <E, R>(o: InvokeOptions<E, R>): Promise<R> => {
  const { timeoutMs, region, accountId } = o.settings;
  const context = createLambdaContext({
    functionName: o.functionName,
    awsRequestId: newRequestId(),
    region,
    accountId,
    timeoutMs,
  });
  const run = Promise.resolve().then(() => o.handler(o.event, context));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new IntegrationTimeoutError(o.functionName, timeoutMs)), timeoutMs);
    timer.unref();
  });
  // An abandoned run may still reject later; that must not become an unhandled rejection.
  run.catch(() => {});
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
};
