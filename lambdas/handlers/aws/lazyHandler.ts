import type { Context } from 'aws-lambda';

/**
 * A Lambda entry point that builds its real handler on the first invocation, so importing the module
 * (as the local runtime and tests do) never touches AWS configuration.
 */
export const lazyHandler = <E, R>(build: () => Promise<(event: E, context: Context) => Promise<R>>) => {
  let built: Promise<(event: E, context: Context) => Promise<R>> | undefined;
  return async (event: E, context: Context): Promise<R> => {
    built ??= build();
    return (await built)(event, context);
  };
};
