import type { ContainerLauncher, ExecutionInfo, Job, Runtime } from '../../core';
import { ControlPlaneError, ErrorCodes } from '../../core';

/** No launcher serves the job's runtime, or a ref names no known launcher. */
export class NoLauncherError extends ControlPlaneError {
  constructor(what: string) {
    super(ErrorCodes.launchFailed, `no launcher for ${what}`);
  }
}

const SEPARATOR = '|';

/**
 * One ContainerLauncher made of several, chosen by the job's runtime (containers for scripts, the
 * control plane itself for http). Refs are prefixed with the launcher's name, so stop and reattach
 * reach the launcher that made them.
 */
export const createLauncherRouter = (o: {
  launchers: Record<string, ContainerLauncher>;
  byRuntime: Partial<Record<Runtime, string>>;
}): ContainerLauncher => {
  const pick = (job: Job) => {
    const name = o.byRuntime[job.runtime];
    const launcher = name === undefined ? undefined : o.launchers[name];
    if (!name || !launcher) throw new NoLauncherError(`runtime ${job.runtime}`);
    return { name, launcher };
  };
  const open = (ref: string) => {
    const at = ref.indexOf(SEPARATOR);
    const launcher = at < 0 ? undefined : o.launchers[ref.slice(0, at)];
    if (!launcher) throw new NoLauncherError(`execution ${ref}`);
    return { launcher, inner: ref.slice(at + 1) };
  };

  return {
    async create(request) {
      const { name, launcher } = pick(request.job);
      return `${name}${SEPARATOR}${await launcher.create(request)}`;
    },
    start: (ref, job) => {
      const { launcher, inner } = open(ref);
      return launcher.start(inner, job);
    },
    stop: (ref) => {
      const { launcher, inner } = open(ref);
      return launcher.stop(inner);
    },
    reattach: (ref, job, token) => {
      const { launcher, inner } = open(ref);
      return launcher.reattach(inner, job, token);
    },
    async list(): Promise<ExecutionInfo[]> {
      const all = await Promise.all(
        Object.entries(o.launchers).map(async ([name, launcher]) =>
          (await launcher.list()).map((e) => ({ ...e, ref: `${name}${SEPARATOR}${e.ref}` })),
        ),
      );
      return all.flat();
    },
  };
};
