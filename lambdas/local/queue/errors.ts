import { ControlPlaneError, ErrorCodes } from '../../core/errors';

/** A local queue call with a parameter SQS would also reject (delay out of range, empty body…). */
export class InvalidQueueParameterError extends ControlPlaneError {
  constructor(
    /** The offending parameter, named as in the SQS API (`DelaySeconds`, `MessageBody`…). */
    readonly parameter: string,
    message: string,
  ) {
    super(ErrorCodes.invalidInput, `${parameter}: ${message}`);
  }
}

/**
 * A receipt handle that does not name a message in flight: never issued, already deleted,
 * superseded by a later receive, or its visibility timeout has run out.
 */
export class ReceiptHandleInvalidError extends ControlPlaneError {
  constructor(readonly receiptHandle: string) {
    super(ErrorCodes.invalidInput, 'receipt handle does not name a message in flight');
  }
}
