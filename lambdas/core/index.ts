export { createControlPlane } from './createControlPlane';
export type { ControlPlane } from './createControlPlane';
export { defaultCoreConfig } from './config';
export type { CoreConfig } from './config';
export type { CoreDeps } from './deps';
export * from './errors';
export * from './model';
export type * from './ports';
export { MetricCatalog, noMetrics, silentLogger } from './ports';
export { countPushes } from './metrics/countPushes';
export type { ComponentHealth, HealthReport, ReadyReport } from './health/createHealth';
export { createAuth, hashApiKey } from './auth/createAuth';
export type { IssuedKey } from './auth/createAuth';
export type { JobSpecRequest } from './jobs/resolveJobSpec';
export { MAX_RETRIES, MAX_RETRY_BACKOFF_SECONDS } from './jobs/resolveJobSpec';
export { bareRequest } from './jobs/prepareExecution';
export type { PrepareExecution } from './jobs/prepareExecution';
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
export type { FireTime, ScheduleDetails, SchedulePatch, SchedulePreviewRequest, ScheduleRequest } from './schedules/createScheduleUseCases';
export type { ScheduleTickReport } from './schedules/createScheduleFiring';
export { EdgeConditions, RunStatuses, StepStatuses, stepJobId } from './workflows/workflowModel';
export type {
  EdgeCondition,
  NodeRetries,
  RunStatus,
  StepStatus,
  Workflow,
  WorkflowEdge,
  WorkflowGraph,
  WorkflowNode,
  WorkflowRun,
  WorkflowStep,
} from './workflows/workflowModel';
export type { RunDetails, StartRunOptions, StepJob, WorkflowRequest } from './workflows/createWorkflowUseCases';
export { createReadStats, MAX_STATS_RANGE_MS, DEFAULT_STATS_RANGE_MS, RELATIVE_PRECISION } from './stats';
export type { EventStats, StatsBucket, StatsCounts, StatsEntry, StatsQuery, StatsReport, StatsSummary } from './stats';
export { ToolActionKinds, describeAction, variablesOf } from './tools/toolModel';
export type { ChatAction, EmailAction, JsonTemplate, ToolAction, ToolActionKind, WebhookAction } from './tools/toolModel';
export { createToolRunner, toolJobData } from './tools/createToolRunner';
export type { ToolRunner } from './tools/createToolRunner';
export { NotificationStatuses, NotifyOns, defaultNotificationSettings } from './notifications/notificationModel';
export type {
  NotificationRecord,
  NotificationSettings,
  NotificationStatus,
  NotificationView,
  NotifyOn,
  NotifyRule,
} from './notifications/notificationModel';
