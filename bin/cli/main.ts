import { CommanderError } from 'commander';
import { createContext } from './context';
import { defaultDeps, type CliDeps } from './deps';
import { CliError, ExitCodes } from './errors';
import { processIo, type CliIo } from './io';
import { buildProgram } from './program';

const report = (io: CliIo, err: unknown): number => {
  // commander has already printed its own message (or the help it was asked for).
  if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCodes.ok : ExitCodes.usage;
  if (err instanceof CliError) {
    io.stderr.write(`error: ${err.message}\n`);
    return err.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  io.stderr.write(`error: ${message}\n`);
  if (io.env.CRONIUM_DEBUG && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
  return ExitCodes.failure;
};

/**
 * Runs the CLI on `argv` (the arguments after the program name) and resolves
 * with the exit code. It never calls `process.exit`, so tests can run it in-process.
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export const main = async (argv: readonly string[], io: CliIo = processIo(), deps: Partial<CliDeps> = {}): Promise<number> => {
  let exitCode: number = ExitCodes.ok;
  const ctx = createContext(io, { ...defaultDeps, ...deps }, (code) => {
    exitCode = code;
  });
  try {
    await buildProgram(ctx).parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    return report(io, err);
  }
};
