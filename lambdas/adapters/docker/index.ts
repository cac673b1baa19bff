export { createDockerLauncher } from './dockerLauncher';
export type { DockerLauncher, DockerLauncherOptions } from './dockerLauncher';
export {
  ContainerGoneError,
  DockerEngineError,
  DockerLaunchError,
  ExecutionFollowError,
  InvalidResumeTokenError,
  LauncherClosedError,
  TarFormatError,
  UnsupportedJobError,
} from './errors';
export { DefaultImages, HelperEnv, HelperPaths } from './runtimeImages';
export { createDockerHealthChecks } from './healthChecks';
