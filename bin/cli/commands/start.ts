import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../context';
import { CliError, UsageError } from '../errors';

const isMissingLocalRuntime = (err: unknown): boolean => {
  const e = err as { code?: string; message?: string };
  return (e.code === 'ERR_MODULE_NOT_FOUND' || e.code === 'MODULE_NOT_FOUND') && /lambdas[/\\]local[/\\]main/.test(e.message ?? '');
};

/** `--url http://host:port` as the `CRONIUM_HOST`/`CRONIUM_PORT` the local runtime listens on. */
const listenEnv = (url: string): Record<string, string> => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`invalid --url ${JSON.stringify(url)}: expected http://host:port`);
  }
  if (parsed.protocol !== 'http:') throw new UsageError('the local control plane serves plain http: use --url http://host:port');
  return { CRONIUM_HOST: parsed.hostname.replace(/^\[|\]$/g, ''), CRONIUM_PORT: parsed.port || '80' };
};

interface StartGlobals {
  url?: string;
  dataDir?: string;
}

/**
 * Registers `cronium start`: runs the local control plane in this process
 * until Ctrl-C. The `--data-dir` and `--url` flags become the `CRONIUM_DATA_DIR`,
 * `CRONIUM_HOST` and `CRONIUM_PORT` variables the local runtime reads.
 */
export const registerStartCommand = (program: Command, ctx: CommandContext): void => {
  program
    .command('start')
    .description('start the local control plane (REST API and WebSocket on one port) in this process')
    .action(async (_opts: object, cmd: Command) => {
      const g = cmd.optsWithGlobals<StartGlobals>();
      const env = {
        ...ctx.io.env,
        ...(g.dataDir ? { CRONIUM_DATA_DIR: resolve(ctx.io.cwd, g.dataDir) } : {}),
        ...(g.url ? listenEnv(g.url) : {}),
      };
      let local;
      try {
        local = await ctx.deps.loadLocalRuntime();
      } catch (err) {
        if (!isMissingLocalRuntime(err)) throw err;
        throw new CliError('local_runtime_missing', 'the local control plane (lambdas/local/main) is not part of this installation', 1, {
          cause: err,
        });
      }
      await local.runLocal(env);
    });
};
