import { ControlPlaneError, ErrorCodes } from '../../core';

/** A tool action cannot be performed as written: a bad URL, a variable of the wrong shape. */
export class ToolConfigError extends ControlPlaneError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(ErrorCodes.invalidInput, `${field}: ${message}`);
  }
}

/** Delivering a tool action failed (SMTP refused, connection lost); the message says how. */
export class ToolDeliveryError extends ControlPlaneError {
  constructor(message: string, opts?: ErrorOptions) {
    super(ErrorCodes.httpError, message, opts);
  }
}
