export { createDockerLauncher } from './dockerLauncher';
export type { DockerLauncher, DockerLauncherOptions, LauncherLogger } from './dockerLauncher';
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
export { DefaultImages, HelperPaths } from './runtimeImages';
export type { RetryPolicy } from './retry';
