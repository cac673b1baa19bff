export { routeJobs } from './routeJobs';
export type { LauncherRoute } from './routeJobs';
