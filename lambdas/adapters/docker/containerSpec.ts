import type { ContainerCreateOptions } from 'dockerode';
import { ValidationError } from '../../core/errors';
import type { Job, Runtime } from '../../core/model';
import { Labels } from './containerLabels';
import { RuntimeCommands } from './runtimeImages';
import { JobUser, WorkspacePath } from './workspaceArchive';

const MiB = 1024 * 1024;

/** Inputs to a container spec besides the job. */
export interface ContainerSpecOptions {
  images: Record<Runtime, string>;
  /** Size of the `/tmp` tmpfs. */
  tmpfsMb: number;
  /** Value of the `cronium.instance` label. */
  instance: string;
}

/** Variables the launcher sets itself; they win over the job's own env. */
const launcherEnv = { CRONIUM_WORKSPACE: WorkspacePath, PYTHONUNBUFFERED: '1' } as const;

const toEnvList = (env: Record<string, string>): string[] =>
  Object.entries({ ...env, ...launcherEnv }).map(([name, value]) => {
    if (name === '' || name.includes('=') || name.includes('\0') || value.includes('\0')) {
      throw new ValidationError(`env.${name}`, 'names must be non-empty without "=" or NUL, values without NUL');
    }
    return `${name}=${value}`;
  });

/**
 * The create request for one job's container, hardened as DESIGN §5 asks.
 *
 * The root file system is read-only, so `/workspace` is an anonymous volume: the engine
 * accepts an archive upload into a volume before start, and `remove({ v: true })` deletes it
 * with the container. No host path is ever mounted.
 * @throws ValidationError when an env name or value cannot be passed to a process.
 */
export const buildContainerSpec = (job: Job, o: ContainerSpecOptions): ContainerCreateOptions => {
  const memory = Math.round(job.resources.memoryMb * MiB);
  return {
    Image: o.images[job.runtime],
    Cmd: [...RuntimeCommands[job.runtime].cmd],
    Entrypoint: [],
    User: `${JobUser.uid}:${JobUser.gid}`,
    WorkingDir: WorkspacePath,
    Env: toEnvList(job.env),
    Labels: {
      [Labels.managed]: 'true',
      [Labels.job]: job.id,
      [Labels.tenant]: job.tenant,
      [Labels.runtime]: job.runtime,
      [Labels.instance]: o.instance,
    },
    NetworkDisabled: true,
    AttachStdin: false,
    OpenStdin: false,
    Tty: false,
    HostConfig: {
      NetworkMode: 'none',
      Privileged: false,
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      ReadonlyRootfs: true,
      Init: true,
      Memory: memory,
      MemorySwap: memory,
      NanoCpus: Math.round(job.resources.cpu * 1e9),
      PidsLimit: job.resources.pids,
      Tmpfs: { '/tmp': `rw,nosuid,nodev,size=${o.tmpfsMb}m,mode=1777` },
      Mounts: [{ Type: 'volume', Source: '', Target: WorkspacePath }],
      // Reading logs back needs a driver that stores them; json-file keeps one file per
      // container, which resume tokens (positions in that file) rely on not rotating away.
      LogConfig: { Type: 'json-file', Config: {} },
      RestartPolicy: { Name: 'no' },
      AutoRemove: false,
    },
  };
};
