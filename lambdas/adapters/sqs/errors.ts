import { ControlPlaneError, ErrorCodes } from '../../core';
import type { JobKey } from '../../core';

/** A queue message body that is not a job message (not JSON, or missing `tenant`/`jobId`). */
export class InvalidMessageError extends ControlPlaneError {
  constructor(
    /** Why the body was rejected, e.g. `jobId: expected string`. */
    readonly reason: string,
    opts?: ErrorOptions,
  ) {
    super(ErrorCodes.invalidInput, `invalid job message: ${reason}`, opts);
  }
}

/** SQS refused or failed to accept a job message; the SDK error is the `cause`. */
export class EnqueueFailedError extends ControlPlaneError {
  constructor(
    readonly key: JobKey,
    readonly queueUrl: string,
    opts?: ErrorOptions,
  ) {
    super(ErrorCodes.internal, `could not enqueue job ${key.jobId} on ${queueUrl}`, opts);
  }
}
