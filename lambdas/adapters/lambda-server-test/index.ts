export { createRunnerServerAccess, ServerTestInvokeError } from './createRunnerServerAccess';
export type { RunnerServerAccessOptions, ServerTestAnswer, ServerTestInvocation } from './createRunnerServerAccess';
