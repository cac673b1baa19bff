import type { ExecutionLauncher, Job } from '../../core';

/** A launcher and how to recognise its jobs and its refs. */
export interface LauncherRoute {
  launcher: ExecutionLauncher;
  /** This launcher runs the job. */
  takes(job: Job): boolean;
  /** This launcher made the ref. */
  owns(ref: string): boolean;
}

/**
 * One ExecutionLauncher for the core made of several: create goes to the first route that takes the
 * job, the calls that carry a ref to the route that owns it, everything else to `fallback`
 * (containers); list() joins them all.
 * @example
 * routeJobs([{ launcher: http, takes: (j) => j.runtime === 'http', owns: isHttpRef }], docker)
 */
export const routeJobs = (routes: LauncherRoute[], fallback: ExecutionLauncher): ExecutionLauncher => {
  const forJob = (job: Job) => routes.find((r) => r.takes(job))?.launcher ?? fallback;
  const forRef = (ref: string) => routes.find((r) => r.owns(ref))?.launcher ?? fallback;
  return {
    create: (request) => forJob(request.job).create(request),
    start: (ref, job) => forRef(ref).start(ref, job),
    stop: (ref) => forRef(ref).stop(ref),
    reattach: (ref, job, resumeToken) => forRef(ref).reattach(ref, job, resumeToken),
    list: async () => (await Promise.all([...routes.map((r) => r.launcher), fallback].map((l) => l.list()))).flat(),
    handsOver: (job) => forJob(job).handsOver?.(job) ?? false,
  };
};
