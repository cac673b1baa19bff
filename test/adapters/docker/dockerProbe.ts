import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Ids of managed containers (running or not) that belong to these jobs, via the docker CLI. */
export const managedContainersOf = async (jobIds: readonly string[]): Promise<string[]> => {
  const ids: string[] = [];
  for (const jobId of jobIds) {
    const { stdout } = await run('docker', [
      'ps',
      '-a',
      '-q',
      '--no-trunc',
      '--filter',
      'label=cronium.managed=true',
      '--filter',
      `label=cronium.job=${jobId}`,
    ]);
    ids.push(...stdout.split('\n').filter(Boolean));
  }
  return ids;
};

/** Waits until no managed container of these jobs is left; returns those still there at the timeout. */
export const containersLeftAfter = async (jobIds: readonly string[], timeoutMs = 10_000): Promise<string[]> => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const left = await managedContainersOf(jobIds);
    if (left.length === 0 || Date.now() > until) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
};

/** Force-removes whatever the jobs left behind (cleanup after a failed test). */
export const removeContainersOf = async (jobIds: readonly string[]): Promise<void> => {
  const ids = await managedContainersOf(jobIds);
  if (ids.length > 0) await run('docker', ['rm', '-f', '-v', ...ids]).catch(() => undefined);
};

/** Blocks until the container stopped. */
export const waitForContainerExit = async (ref: string): Promise<void> => {
  await run('docker', ['wait', ref]);
};

/** SIGKILLs the container, as a launcher does at a deadline. */
export const killContainer = async (ref: string): Promise<void> => {
  await run('docker', ['kill', ref]);
  await run('docker', ['wait', ref]);
};
