export { createControlPlane } from './createControlPlane';
export type { ControlPlane } from './createControlPlane';
export { defaultCoreConfig } from './config';
export type { CoreConfig } from './config';
export type { CoreDeps } from './deps';
export * from './errors';
export * from './model';
export type * from './ports';
export { silentLogger } from './ports';
export { hashApiKey } from './auth/createAuth';
export type { JobSpecRequest } from './jobs/resolveJobSpec';
export type { EventRequest } from './events/createEventUseCases';
export { endingFor, outcomeOf } from './jobs/executionOutcome';
export { WorkspaceLayout, VARIABLE_KEY, buildWorkspace, readRunResults } from './workspace/workspaceContract';
export type { RunContext, RunResults } from './workspace/workspaceContract';
export type { LaggingMessage, LiveMessage, LogsMessage, StatusMessage } from './live/messages';
export { createExecutionReports } from './reports/createExecutionReports';
export type { ExecutionReports, ReportDeps } from './reports/createExecutionReports';
export { isTransientFailure } from './reports/isTransientFailure';
export { noRetry, withReportRetry } from './reports/withReportRetry';
export { WorkspaceLimits, ReportedOutFiles, isReportedFile } from './workspace/workspaceContract';
export { MAX_JSON_DEPTH, RESERVED_KEYS, reservedKeyProblem, storableProblem } from './jsonRules';
export type { JsonProblem } from './jsonRules';
export { CatchUpPolicies, DstPolicies, FireStatuses, OverlapPolicies } from './schedules/scheduleModel';
export type {
  CatchUpPolicy,
  DstPolicy,
  FireStatus,
  OverlapPolicy,
  Schedule,
  ScheduleFire,
  ScheduleTarget,
} from './schedules/scheduleModel';
export type { FireTime, ScheduleDetails, SchedulePatch, ScheduleRequest } from './schedules/createScheduleUseCases';
export type { ScheduleTickReport } from './schedules/createScheduleFiring';
export { createReadStats, MAX_STATS_RANGE_MS, DEFAULT_STATS_RANGE_MS, RELATIVE_PRECISION } from './stats';
export type { EventStats, StatsBucket, StatsCounts, StatsEntry, StatsQuery, StatsReport, StatsSummary } from './stats';
