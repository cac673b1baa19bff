export { createWorkflowUseCases } from './createWorkflowUseCases';
export type { RunDetails, StartRunOptions, StepJob, WorkflowRequest, WorkflowUseCases } from './createWorkflowUseCases';
export { createRunAdvancer } from './createRunAdvancer';
export type { RunAdvancer } from './createRunAdvancer';
export { createWorkflowStepHook } from './workflowStepHook';
export { planRun, edgeHolds } from './planRun';
export { validateGraph } from './validateGraph';
export * from './workflowModel';
