import { ControlPlaneError, ErrorCodes } from '../../core';

/**
 * ECS could not start a job's task. `retryable` says whether the same request may succeed later
 * (throttling, a capacity shortage, a server fault); the caller decides whether to retry.
 */
export class EcsLaunchError extends ControlPlaneError {
  constructor(
    message: string,
    readonly reason: string,
    readonly retryable: boolean,
    opts?: ErrorOptions,
  ) {
    super(ErrorCodes.launchFailed, message, opts);
  }
}

/** RunTask accepts at most this many bytes of JSON overrides (ECS documents 8192 characters). */
export const RUN_TASK_OVERRIDES_LIMIT = 8192;

/**
 * The RunTask overrides (command, workspace path and the two presigned URLs) exceed ECS's limit:
 * only unusually long URLs (a long session token of the signer) get here.
 */
export class OverridesTooLargeError extends EcsLaunchError {
  readonly limitBytes = RUN_TASK_OVERRIDES_LIMIT;

  constructor(readonly sizeBytes: number) {
    super(
      `the job's RunTask overrides take ${sizeBytes} bytes; ` + `ECS allows at most ${RUN_TASK_OVERRIDES_LIMIT} bytes (8 KiB)`,
      'overrides_too_large',
      false,
    );
  }
}

/** An ECS call other than RunTask failed unexpectedly. */
export class EcsCallError extends ControlPlaneError {
  constructor(message: string, opts?: ErrorOptions) {
    super(ErrorCodes.internal, message, opts);
  }
}
