// Workflows and their runs as the REST API returns them (README.md, "The API": /workflows, /workflow-runs).

export const edgeConditions = ['success', 'failure', 'always', 'condition', 'not-condition'] as const;
export type EdgeCondition = (typeof edgeConditions)[number];

export interface WorkflowNode {
  id: string;
  eventId: string;
  input?: unknown;
  timeoutSeconds?: number;
  retries?: unknown;
}

export interface WorkflowEdge {
  from: string;
  to: string;
  when: EdgeCondition;
}

export interface Workflow {
  id: string;
  name: string;
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  notify?: unknown[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export type StepStatus = 'pending' | 'running' | 'completed' | 'failed' | 'timeout' | 'cancelled' | 'skipped';
export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface WorkflowStep {
  nodeId: string;
  status: StepStatus;
  attempt: number;
  jobId?: string;
  jobStatus?: string;
  condition?: boolean;
  error?: { code: string; message: string };
  skipReason?: string;
  exitCode?: number;
  startedAt?: string;
  finishedAt?: string;
}

export interface WorkflowRun {
  id: string;
  workflowId: string;
  workflowName: string;
  status: RunStatus;
  reason?: string;
  attempt: number;
  nodes: WorkflowNode[];
  edges: WorkflowEdge[];
  steps: WorkflowStep[];
  scheduleId?: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
}

/** The fields of a saved event the pickers show. */
export interface EventSummary {
  id: string;
  name: string;
  runtime: string;
}
