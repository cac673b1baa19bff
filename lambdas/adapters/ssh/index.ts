export { createSshExecutor } from './sshExecutor';
export type { SshExecutorWithStats } from './sshExecutor';
export type {
  BreakerOptions,
  PoolEvent,
  PoolOptions,
  SshExecution,
  SshExecutor,
  SshExecutorOptions,
  SshServer,
  SshTestResult,
} from './types';
export {
  CircuitOpenError,
  HostKeyMismatchError,
  InvalidExecutionError,
  InvalidKeyError,
  SshAuthError,
  SshChannelError,
  SshErrorCodes,
  SshExecutorClosedError,
  SshLaunchError,
  SshUnreachableError,
} from './errors';
export type { SshErrorCode } from './errors';
export { validatePrivateKey } from './privateKey';
export type { ValidPrivateKey } from './privateKey';
export { fingerprintOf, normalizeFingerprint } from './hostKey';
export { createCircuitBreaker, createMemoryCircuitStore, DefaultBreakerOptions } from './circuitBreaker';
export type { CircuitBreaker, CircuitState } from './circuitBreaker';
export { DefaultPoolOptions } from './connectionPool';
export { DefaultHelpersDir } from './helperFiles';
export { createSshLauncher, isSshRef, SSH_REF_PREFIX, SshJobError } from './createSshLauncher';
export { createSshServerAccess } from './createSshServerAccess';
