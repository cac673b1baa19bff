import { ControlPlaneError, ErrorCodes } from '../../core';

/** A DynamoDB call failed for a reason the store does not translate (throttling, a missing table, a network error). */
export class DynamoStoreError extends ControlPlaneError {
  constructor(
    readonly operation: string,
    opts?: ErrorOptions,
  ) {
    super(ErrorCodes.internal, `dynamodb ${operation} failed`, opts);
  }
}

/** True for the vendor error a failed `ConditionExpression` raises. */
export const isConditionFailed = (e: unknown): boolean => e instanceof Error && e.name === 'ConditionalCheckFailedException';
