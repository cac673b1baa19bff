export { createEcsLauncher } from './createEcsLauncher';
export type { EcsLauncherOptions } from './createEcsLauncher';
export { EcsCallError, EcsLaunchError, OverridesTooLargeError, RUN_TASK_OVERRIDES_LIMIT } from './errors';
export { FargateSizes, fargateSizeFor, isFargateSize } from './fargateSize';
export type { FargateSize } from './fargateSize';
export { JobTaskContract } from './taskContract';
