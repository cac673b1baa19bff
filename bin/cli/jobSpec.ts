import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FileReadError } from './errors';
import { inferRuntime } from './runtime';
import type { JobSpecInput, Resources } from './types';

/** The job-spec flags shared by `run` and `events create`, as commander parsed them. */
export interface SpecFlags {
  runtime?: string;
  timeout?: number;
  env?: Record<string, string>;
  memory?: number;
  cpus?: number;
  pids?: number;
}

/**
 * Reads a script file and turns it and the spec flags into a request body.
 * Fields the user did not set are left out so the control plane's defaults apply.
 *
 * @throws FileReadError when the file cannot be read.
 * @throws UsageError when the runtime cannot be inferred.
 */
export const buildJobSpec = async (file: string, flags: SpecFlags, cwd: string): Promise<JobSpecInput> => {
  const runtime = inferRuntime(file, flags.runtime);
  let script: string;
  try {
    script = await readFile(resolve(cwd, file), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FileReadError(file, code === 'ENOENT' ? 'no such file' : String(code ?? err), { cause: err });
  }
  const resources: Resources = {};
  if (flags.cpus !== undefined) resources.cpu = flags.cpus;
  if (flags.memory !== undefined) resources.memoryMb = flags.memory;
  if (flags.pids !== undefined) resources.pids = flags.pids;
  return {
    runtime,
    script,
    ...(flags.env && Object.keys(flags.env).length > 0 ? { env: flags.env } : {}),
    ...(flags.timeout !== undefined ? { timeoutSeconds: flags.timeout } : {}),
    ...(Object.keys(resources).length > 0 ? { resources } : {}),
  };
};
