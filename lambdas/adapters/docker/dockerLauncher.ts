import Docker from 'dockerode';
import { isScriptRuntime, type Job, type ScriptRuntime, WorkspaceLayout } from '../../core';
import type { ExecutionLauncher, ExecutionEvents, ExecutionInfo, Logger } from '../../core';
import { keyFromLabels, Labels } from './containerLabels';
import { buildContainerSpec } from './containerSpec';
import { isAlreadyInState, isNoSuchContainer } from './engineErrors';
import { ContainerGoneError, DockerEngineError, DockerLaunchError, LauncherClosedError, UnsupportedJobError } from './errors';
import { followExecution, type ExecutionFollower } from './executionFollower';
import { decodeResumeToken, type LogCursor } from './resumeToken';
import { DefaultImages } from './runtimeImages';
import { buildWorkspaceArchive } from './workspaceArchive';
import { WorkspacePath } from './workspacePath';

/** Options of createDockerLauncher. */
export interface DockerLauncherOptions {
  /** Engine client. @default `new Docker()` (the local socket, or DOCKER_HOST) */
  docker?: Docker;
  /** Where output and exits are reported: the core's report path, which retries and logs failed reports itself. */
  events: ExecutionEvents;
  /** Image per script runtime. @default `cronium/<runtime>:latest` */
  images?: Partial<Record<ScriptRuntime, string>>;
  /** Size of each job's `/tmp` tmpfs in MiB. @default 64 */
  tmpfsMb?: number;
  /** Size of the `out/` tmpfs in MiB for a job without `resources.diskMb`. @default 64 */
  diskMb?: number;
  /**
   * Labels the containers this launcher creates (`cronium.instance`); list() sees only those.
   * Give each control plane sharing one engine its own, or their reconcilers stop each
   * other's containers as orphans. @default 'default'
   */
  instance?: string;
  /**
   * How long reading back `out/` after an exit may take; past it the exit is reported without
   * outputs (and the failure is logged). @default 15000
   */
  outputsTimeoutMs?: number;
  /**
   * Where failures in the background go (never thrown), as `{ err, jobId, ref, phase }` with an
   * ExecutionFollowError. @default the console
   */
  logger?: Logger;
}

/** A ExecutionLauncher that can also let go of what it follows. */
export interface DockerLauncher extends ExecutionLauncher {
  /**
   * Stops following every container without killing any, and refuses new work: for
   * shutdown, or to hand executions to another launcher (which reattaches with the last
   * resume token it was given). Resolves once no further event will be sent.
   */
  close(): Promise<void>;
}

const consoleLogger: Logger = {
  info: (obj, msg) => console.info(msg ?? '', obj),
  warn: (obj, msg) => console.warn(msg ?? '', obj),
  error: (obj, msg) => console.error(msg ?? '', obj),
};

/**
 * Runs each script job in a fresh, hardened Docker container (runtime-images/README.md) with the workspace
 * contract (docs/helpers/workspace.md): the request's workspace (`in/…`) and an empty `out/` are uploaded
 * through the Engine API before start; after the exit `out/` is read back the same way and
 * reported as `ExitReport.outputs`. Output and exit are reported through `events`.
 *
 * Calls reject with:
 * @throws UnsupportedJobError from create, for an http job or a workspace without the script (code `launch_failed`).
 * @throws ValidationError from create, when an env name or a workspace path cannot be passed to a container.
 * @throws DockerLaunchError from create and start (code `launch_failed`).
 * @throws ContainerGoneError from start and reattach, when the container no longer exists (code `lost`).
 * @throws InvalidResumeTokenError from reattach, for a token this launcher did not write.
 * @throws LauncherClosedError from create, start and reattach after close().
 * @throws DockerEngineError from stop, list and reattach, when the engine fails otherwise.
 *
 * @example
 * const launcher = createDockerLauncher({ events });
 * const ref = await launcher.create({ job, env, workspace: buildWorkspace(job, variables) });
 * await launcher.start(ref, job); // output and exit (with `out/`) now arrive through `events`
 */
export const createDockerLauncher = (o: DockerLauncherOptions): DockerLauncher => {
  const docker = o.docker ?? new Docker();
  const images = { ...DefaultImages, ...o.images };
  const tmpfsMb = o.tmpfsMb ?? 64;
  const diskMb = o.diskMb ?? 64;
  const instance = o.instance ?? 'default';
  const outputsTimeoutMs = o.outputsTimeoutMs ?? 15_000;
  const logger = o.logger ?? consoleLogger;
  /** Refs this launcher starts or follows; their follower removes them, stop() must not. */
  const claimed = new Set<string>();
  const followers = new Map<string, ExecutionFollower>();
  let closed = false;

  const follow = (ref: string, job: Job, extra: { resumeFrom?: LogCursor; expiredBeforeStart?: boolean }) => {
    // close() ran while the engine was starting it: leave it to whoever reattaches.
    if (closed) {
      claimed.delete(ref);
      return;
    }
    const follower = followExecution({ docker, ref, job, events: o.events, logger, outputsTimeoutMs, ...extra });
    followers.set(ref, follower);
    void follower.done.finally(() => {
      followers.delete(ref);
      claimed.delete(ref);
    });
  };

  /** Starts a created container, or leaves it unstarted when its deadline already passed. */
  const startAndFollow = async (ref: string, job: Job, resumeFrom?: LogCursor) => {
    if (job.deadlineAt !== undefined && job.deadlineAt <= Date.now()) {
      follow(ref, job, { expiredBeforeStart: true });
      return;
    }
    try {
      await docker.getContainer(ref).start();
    } catch (err) {
      if (isNoSuchContainer(err)) throw new ContainerGoneError(ref, { cause: err });
      if (!isAlreadyInState(err)) throw new DockerLaunchError(job.id, 'start', { cause: err });
    }
    follow(ref, job, { resumeFrom });
  };

  const claim = (ref: string): boolean => {
    if (closed) throw new LauncherClosedError();
    if (claimed.has(ref)) return false;
    claimed.add(ref);
    return true;
  };

  return {
    async create({ job, env, workspace }) {
      if (closed) throw new LauncherClosedError();
      const runtime = job.runtime;
      if (!isScriptRuntime(runtime)) throw new UnsupportedJobError(job.id, runtime, 'not_a_script_job');
      if (workspace[WorkspaceLayout.scriptFile[runtime]] === undefined) {
        throw new UnsupportedJobError(job.id, runtime, 'no_script');
      }
      // Both validate before anything exists on the engine.
      const spec = buildContainerSpec({ job, runtime, env }, { images, tmpfsMb, diskMb, instance });
      const archive = buildWorkspaceArchive(workspace);
      let container: Docker.Container;
      try {
        container = await docker.createContainer(spec);
      } catch (err) {
        throw new DockerLaunchError(job.id, 'create', { cause: err });
      }
      try {
        await container.putArchive(archive, { path: WorkspacePath });
      } catch (err) {
        await container.remove({ force: true, v: true }).catch(() => undefined);
        throw new DockerLaunchError(job.id, 'upload', { cause: err });
      }
      return container.id;
    },

    async start(ref, job) {
      if (!claim(ref)) return;
      try {
        await startAndFollow(ref, job);
      } catch (err) {
        claimed.delete(ref);
        throw err;
      }
    },

    async stop(ref) {
      const container = docker.getContainer(ref);
      try {
        await container.kill();
      } catch (err) {
        if (isNoSuchContainer(err)) return;
        if (!isAlreadyInState(err)) throw new DockerEngineError('kill', ref, { cause: err });
      }
      // A followed container is removed by its follower, once its exit is reported.
      if (claimed.has(ref)) return;
      try {
        await container.remove({ force: true, v: true });
      } catch (err) {
        if (!isNoSuchContainer(err) && !isAlreadyInState(err)) {
          throw new DockerEngineError('remove', ref, { cause: err });
        }
      }
    },

    async list() {
      let containers: Docker.ContainerInfo[];
      try {
        const label = [`${Labels.managed}=true`, `${Labels.instance}=${instance}`];
        containers = await docker.listContainers({ all: true, filters: { label } });
      } catch (err) {
        throw new DockerEngineError('list', '*', { cause: err });
      }
      return containers.flatMap((c): ExecutionInfo[] => {
        const key = keyFromLabels(c.Labels);
        if (!key) {
          logger.warn({ ref: c.Id, labels: c.Labels }, 'managed container without job labels ignored');
          return [];
        }
        // Already on its way out: its follower reported it.
        if (c.State === 'removing') return [];
        return [{ key, ref: c.Id, running: c.State === 'running' }];
      });
    },

    async reattach(ref, job, resumeToken) {
      const resumeFrom = resumeToken ? decodeResumeToken(resumeToken) : undefined;
      if (!claim(ref)) return;
      try {
        let status: string;
        try {
          status = (await docker.getContainer(ref).inspect()).State.Status;
        } catch (err) {
          if (isNoSuchContainer(err)) throw new ContainerGoneError(ref, { cause: err });
          throw new DockerEngineError('inspect', ref, { cause: err });
        }
        // Created but never started: whoever created it went away between create and start.
        if (status === 'created') await startAndFollow(ref, job, resumeFrom);
        else follow(ref, job, { resumeFrom });
      } catch (err) {
        claimed.delete(ref);
        throw err;
      }
    },

    async close() {
      closed = true;
      await Promise.all([...followers.values()].map((f) => f.close()));
    },
  };
};
