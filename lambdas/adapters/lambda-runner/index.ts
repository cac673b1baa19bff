export { createRunnerLauncher, isRunnerRef, RUNNER_REF_PREFIX } from './createRunnerLauncher';
export type { RunnerInvocation, RunnerLauncherOptions } from './createRunnerLauncher';
