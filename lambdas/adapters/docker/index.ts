export { createDockerLauncher } from './dockerLauncher';
export type { DockerLauncher, DockerLauncherOptions, LauncherLogger } from './dockerLauncher';
export {
  ContainerGoneError,
  DockerEngineError,
  DockerLaunchError,
  ExecutionFollowError,
  InvalidResumeTokenError,
  LauncherClosedError,
} from './errors';
export { DefaultImages } from './runtimeImages';
export type { RetryPolicy } from './retry';
