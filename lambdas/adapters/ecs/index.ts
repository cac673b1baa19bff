export { createEcsLauncher } from './createEcsLauncher';
export type { EcsLauncherOptions, TaskWorkspace } from './createEcsLauncher';
export { EcsCallError, EcsLaunchError, OverridesTooLargeError, RUN_TASK_OVERRIDES_LIMIT } from './errors';
export { FargateSizes, fargateSizeFor, isFargateSize } from './fargateSize';
export type { FargateSize } from './fargateSize';
export { JobTaskContract } from './taskContract';
export { CroniumStopReason } from './stopReasons';
export { EcsTaskStateChangeDetailSchema, familyOf, taskIdOf } from './taskStateChange';
export type { EcsTaskStateChangeDetail } from './taskStateChange';
export { stoppedTaskReport } from './taskStopped';
export { createTaskJobs } from './createTaskJobs';
export type { TaskJob, TaskJobs, TaskJobsOptions } from './createTaskJobs';
export {
  decodeStreamPosition,
  encodeStreamPosition,
  eventsAfter,
  jobLogStreamName,
  positionAfter,
  rawLinesOf,
  taskIdOfLogStream,
} from './jobLogStream';
export type { JobLogEvent, StreamPosition } from './jobLogStream';
export { createJobLogReader } from './createJobLogReader';
export type { JobLogReader, JobLogReaderOptions } from './createJobLogReader';
export { createEcsHealthCheck } from './healthCheck';
