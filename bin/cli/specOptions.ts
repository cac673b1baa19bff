import { Option, type Command } from 'commander';
import { collectEnv, positiveInteger, positiveNumber } from './optionParsers';
import { Runtimes } from './types';

/** Adds the flags that shape a job (`--runtime`, `--timeout`, `--env`, `--memory`, `--cpus`, `--pids`) to `cmd`. */
export const addSpecOptions = (cmd: Command): Command =>
  cmd
    .addOption(new Option('--runtime <runtime>', 'runtime, when the file extension does not say').choices(Runtimes))
    .option('--timeout <seconds>', 'end the job as timed out after this many seconds', positiveInteger)
    .option('-e, --env <NAME=VALUE>', 'environment variable for the script (repeatable)', collectEnv)
    .option('--memory <mb>', 'memory limit in MiB', positiveInteger)
    .option('--cpus <n>', 'CPU limit, e.g. 0.5', positiveNumber)
    .option('--pids <n>', 'process limit', positiveInteger);
