import type { Job } from '../../core/model';
import { RuntimeCommands } from './runtimeImages';
import { buildTarArchive, type TarEntry } from './tarArchive';

/** Where the workspace is mounted inside every job container (DESIGN §4). */
export const WorkspacePath = '/workspace';

/** The uid/gid the job runs as; everything in the workspace belongs to it. */
export const JobUser = { uid: 1000, gid: 1000 } as const;

/**
 * The tar uploaded into `/workspace` before the container starts: `in/` with the
 * script, and an empty `out/` for results.
 */
export const buildWorkspaceArchive = (job: Pick<Job, 'runtime' | 'script'>, now: Date = new Date()): Buffer => {
  const mtime = Math.floor(now.getTime() / 1000);
  const owner = { ...JobUser, mtime };
  const entries: TarEntry[] = [
    // The root entry sets /workspace's own owner, whatever the image left there.
    { name: './', mode: 0o755, ...owner },
    { name: 'in/', mode: 0o755, ...owner },
    { name: RuntimeCommands[job.runtime].file, mode: 0o644, content: Buffer.from(job.script, 'utf8'), ...owner },
    { name: 'out/', mode: 0o755, ...owner },
  ];
  return buildTarArchive(entries);
};
