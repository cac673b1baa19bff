import { ControlPlaneError, ErrorCodes } from '../../core';

/** An S3 call of the job workspace failed unexpectedly (the SDK's error is the `cause`). */
export class WorkspaceStoreError extends ControlPlaneError {
  constructor(message: string, opts?: ErrorOptions) {
    super(ErrorCodes.internal, message, opts);
  }
}

/** The `out/` object the task uploaded is not a well-formed tar archive. */
export class OutArchiveError extends ControlPlaneError {
  constructor(message: string, opts?: ErrorOptions) {
    super(ErrorCodes.internal, `the uploaded out/ archive is malformed: ${message}`, opts);
  }
}
