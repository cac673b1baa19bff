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
 * The job's script and environment do not fit in RunTask's overrides. Larger scripts need the S3
 * workspace of DESIGN §4, which a later issue brings.
 */
export class OverridesTooLargeError extends EcsLaunchError {
  readonly limitBytes = RUN_TASK_OVERRIDES_LIMIT;

  constructor(readonly sizeBytes: number) {
    super(
      `the job's script and environment take ${sizeBytes} bytes of ECS RunTask overrides; ` +
        `ECS allows at most ${RUN_TASK_OVERRIDES_LIMIT} bytes (8 KiB)`,
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
