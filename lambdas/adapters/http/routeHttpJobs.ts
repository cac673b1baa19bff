import type { ContainerLauncher } from '../../core/ports/runtime';
import { isHttpRef } from './httpLauncher';

/** The two launchers a runtime has: one for http jobs, one for script jobs. */
export interface HttpRoutingOptions {
  /** Runs `runtime: 'http'` jobs (createHttpLauncher). */
  http: ContainerLauncher;
  /** Runs every other job (Docker, ECS). Its refs must not start with `http:` (container ids and task ARNs do not). */
  scripts: ContainerLauncher;
}

/**
 * One ContainerLauncher for the core out of the http launcher and the script launcher: create
 * routes on the job's runtime, the calls that take a ref route on its `http:` prefix, and list()
 * joins both.
 * @example
 * const launcher = routeHttpJobs({ http: createHttpLauncher({ events }), scripts: createDockerLauncher({ events }) });
 */
export const routeHttpJobs = ({ http, scripts }: HttpRoutingOptions): ContainerLauncher => {
  const byRef = (ref: string) => (isHttpRef(ref) ? http : scripts);
  return {
    create: (request) => (request.job.runtime === 'http' ? http : scripts).create(request),
    start: (ref, job) => byRef(ref).start(ref, job),
    stop: (ref) => byRef(ref).stop(ref),
    reattach: (ref, job, resumeToken) => byRef(ref).reattach(ref, job, resumeToken),
    list: async () => (await Promise.all([http.list(), scripts.list()])).flat(),
  };
};
