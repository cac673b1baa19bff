import type { ContainerCreateOptions, MountSettings } from 'dockerode';
import { ValidationError, WorkspaceLayout } from '../../core';
import type { Job, ScriptRuntime } from '../../core';
import { Labels } from './containerLabels';
import { SnapshotLeadMs, wrappedCommand } from './outHandOff';
import { HelperEnv, RuntimeCommands } from './runtimeImages';
import { JobUser } from './workspaceArchive';
import { WorkspacePath } from './workspacePath';

const MiB = 1024 * 1024;

// The Engine API makes every volume option optional; @types/dockerode requires them all.
const noCopy = { NoCopy: true } as NonNullable<MountSettings['VolumeOptions']>;

/** What one container runs: a script job, its runtime, and its resolved environment. */
export interface ContainerSpecInput {
  job: Job;
  /** `job.runtime`, checked to be a script runtime. */
  runtime: ScriptRuntime;
  /** The job's environment with variables resolved (may hold secrets: never log it). */
  env: Record<string, string>;
}

/** Inputs to a container spec besides the job. */
export interface ContainerSpecOptions {
  images: Record<ScriptRuntime, string>;
  /** Size of the `/tmp` tmpfs. */
  tmpfsMb: number;
  /** Size of the `out/` tmpfs when the job names none (`resources.diskMb`). */
  diskMb: number;
  /** Epoch ms now (when the container is created), for the expected deadline. @default Date.now() */
  now?: number;
  /** Value of the `cronium.instance` label. */
  instance: string;
}

/**
 * Variables the launcher sets itself; they win over the job's own env, so a job cannot move its
 * workspace or hide the helpers.
 */
const launcherEnv = { [WorkspaceLayout.envVar]: WorkspacePath, PYTHONUNBUFFERED: '1', ...HelperEnv } as const;

const toEnvList = (env: Record<string, string>): string[] =>
  Object.entries({ ...env, ...launcherEnv }).map(([name, value]) => {
    if (name === '' || name.includes('=') || name.includes('\0') || value.includes('\0')) {
      throw new ValidationError(`env.${name}`, 'names must be non-empty without "=" or NUL, values without NUL');
    }
    return `${name}=${value}`;
  });

/**
 * The create request for one job's container, hardened as runtime-images/README.md lists, with the job's
 * resolved env plus `CRONIUM_WORKSPACE`, `PYTHONUNBUFFERED` and the helper variables.
 *
 * The root file system is read-only, so `/workspace` is an anonymous volume: the engine
 * accepts an archive upload into a volume before start, and `remove({ v: true })` deletes it
 * with the container. No host path is ever mounted. The volume's root belongs to root, so
 * the job writes only in `/tmp` and in `out/`, a tmpfs of `resources.diskMb` MiB over the
 * volume's `out/`. A wrapper (outHandOff.ts) packs `out/` onto the volume when the script ends
 * (and once just before the expected deadline); `fsize` bounds what it, or the job, can write
 * there, so the host's disk holds at most the upload plus two files of that size.
 * @throws ValidationError when an env name or value cannot be passed to a process (the error
 * names the variable, never its value).
 */
export const buildContainerSpec = ({ job, runtime, env }: ContainerSpecInput, o: ContainerSpecOptions): ContainerCreateOptions => {
  const memory = Math.round(job.resources.memoryMb * MiB);
  const diskMb = job.resources.diskMb ?? o.diskMb;
  // Above both tmpfs sizes, so a script meets ENOSPC there before SIGXFSZ.
  const fileSizeCap = (Math.max(diskMb, o.tmpfsMb) + 1) * MiB;
  const snapshotAt = (o.now ?? Date.now()) + job.timeoutSeconds * 1000 - SnapshotLeadMs;
  return {
    Image: o.images[runtime],
    Cmd: wrappedCommand(RuntimeCommands[runtime], snapshotAt),
    Entrypoint: [],
    User: `${JobUser.uid}:${JobUser.gid}`,
    WorkingDir: WorkspacePath,
    Env: toEnvList(env),
    Labels: {
      [Labels.managed]: 'true',
      [Labels.job]: job.id,
      [Labels.tenant]: job.tenant,
      [Labels.runtime]: runtime,
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
      Tmpfs: {
        '/tmp': `rw,nosuid,nodev,size=${o.tmpfsMb}m,mode=1777`,
        // nr_inodes: a flood of empty files fills it too (and tmpfs inodes are kernel memory).
        [`${WorkspacePath}/${WorkspaceLayout.outDir}`]: `rw,nosuid,nodev,size=${diskMb}m,nr_inodes=${diskMb * 64},uid=${JobUser.uid},gid=${JobUser.gid},mode=0700`,
      },
      Ulimits: [{ Name: 'fsize', Soft: fileSizeCap, Hard: fileSizeCap }],
      // NoCopy: the volume starts empty and owned by root (0755) whatever the image has at
      // /workspace, so the job can neither rename in/ nor replace out/ (the engine does not
      // apply the owner of an archive's root entry, so the upload cannot do this).
      Mounts: [{ Type: 'volume', Source: '', Target: WorkspacePath, VolumeOptions: noCopy }],
      // Reading logs back needs a driver that stores them; json-file keeps one file per
      // container, which resume tokens (positions in that file) rely on not rotating away.
      LogConfig: { Type: 'json-file', Config: {} },
      RestartPolicy: { Name: 'no' },
      AutoRemove: false,
    },
  };
};
