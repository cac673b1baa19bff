import { ControlPlaneError, ErrorCodes } from '../core/errors';

/** The data directory cannot be made private: not a directory, owned by someone else, or not changeable. */
export class DataDirError extends ControlPlaneError {
  constructor(
    readonly path: string,
    reason: string,
    opts?: ErrorOptions,
  ) {
    super(ErrorCodes.internal, `data directory ${path}: ${reason}`, opts);
  }
}

/** The embedded DynamoDB cannot start on its socket: in use by another process, or the path is unusable. */
export class EmbeddedDynamoError extends ControlPlaneError {
  constructor(
    readonly socketPath: string,
    reason: string,
    opts?: ErrorOptions,
  ) {
    super(ErrorCodes.internal, `embedded DynamoDB socket ${socketPath}: ${reason}`, opts);
  }
}
