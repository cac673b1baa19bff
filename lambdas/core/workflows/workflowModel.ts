import type { NotifyRule } from '../notifications/notificationModel';

/** When an edge lets its child run, judged on how the parent step ended. */
export const EdgeConditions = ['success', 'failure', 'always', 'condition', 'not-condition'] as const;
export type EdgeCondition = (typeof EdgeConditions)[number];

/** Per-node retries, as a job's (kept on the workflow; see docs/workflows.md for what applies them). */
export interface NodeRetries {
  max: number;
  backoffSeconds: number;
  factor?: number;
  maxBackoffSeconds?: number;
}

/** One step of a workflow: a run of a saved event. */
export interface WorkflowNode {
  /** Unique in the workflow: letters, digits, `_` and `-`. */
  id: string;
  eventId: string;
  /** The input of a start node when the run gives none, or of a node whose parents produced no output. */
  input?: unknown;
  /** Overrides the event's timeout for this step. */
  timeoutSeconds?: number;
  retries?: NodeRetries;
}

export interface WorkflowEdge {
  from: string;
  to: string;
  when: EdgeCondition;
}

/** The graph a run follows; a run keeps a copy, so editing the workflow changes no run in flight. */
export interface WorkflowGraph {
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
}

/** A saved workflow: a DAG of events. */
export interface Workflow extends WorkflowGraph {
  tenant: string;
  id: string;
  name: string;
  /** Rules followed when a run of it starts or ends (docs/notifications.md); each run keeps a copy. */
  notify?: NotifyRule[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

/**
 * A step's state in a run: `pending` (not decided yet), `running` (its job was submitted and has
 * not ended), the job's ending, or `skipped` (no edge into it held).
 */
export const StepStatuses = ['pending', 'running', 'completed', 'failed', 'timeout', 'cancelled', 'skipped'] as const;
export type StepStatus = (typeof StepStatuses)[number];

/** A step that will not change any more (until a retry of the run resets it). */
export const isStepDone = (s: StepStatus): boolean => s !== 'pending' && s !== 'running';

export interface WorkflowStep {
  nodeId: string;
  status: StepStatus;
  /** Counts the step's runs: 1, then one more for each retry of the run that re-runs it. Part of the job id. */
  attempt: number;
  jobId?: string;
  /** What the step's script passed to `condition()`. Its input and output stay on its job (the run item stays small). */
  condition?: boolean;
  error?: { code: string; message: string };
  /** Why a `skipped` step did not run. */
  skipReason?: string;
  startedAt?: string;
  finishedAt?: string;
}

export const RunStatuses = ['running', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RunStatuses)[number];

/** One run of a workflow. Every change is a write conditional on `version`. */
export interface WorkflowRun extends WorkflowGraph {
  tenant: string;
  id: string;
  workflowId: string;
  workflowName: string;
  status: RunStatus;
  /** Why it ended failed or cancelled. */
  reason?: string;
  input?: unknown;
  /** 1, then one more per retry of the run. */
  attempt: number;
  /** By node id. */
  steps: Record<string, WorkflowStep>;
  /** The schedule that started it, and the fire time it planned. */
  scheduleId?: string;
  scheduledAt?: string;
  /** The workflow's notify rules, then its schedule's, as they were when the run started. */
  notify?: NotifyRule[];
  version: number;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
}

/**
 * The id of a step's job: the same for the same run, node and attempt, so a second advance of the
 * run submits nothing twice (submitting an existing id is a ConflictError). The attempt is the last
 * `-` part, so different (node, attempt) pairs never share an id.
 */
export const stepJobId = (runId: string, nodeId: string, attempt: number): string => `${runId}-${nodeId}-${attempt}`;
