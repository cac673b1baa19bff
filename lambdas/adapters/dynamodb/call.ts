import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ControlPlaneError } from '../../core';
import { DynamoStoreError, isConditionFailed } from './errors';

/** What every store of the table shares. */
export interface TableContext {
  client: DynamoDBDocumentClient;
  tableName: string;
  /** Epoch milliseconds. */
  now: () => number;
}

/**
 * Runs one DynamoDB call and translates its errors at the boundary: a failed condition goes to
 * `onConditionFailed` (which returns a value or throws a domain error), our own errors pass through,
 * anything else is rethrown as a DynamoStoreError with the vendor error as `cause`.
 * @throws DynamoStoreError on any untranslated failure.
 */
export async function call<T, R = never>(operation: string, run: () => Promise<T>, onConditionFailed?: (e: unknown) => R): Promise<T | R> {
  try {
    return await run();
  } catch (e) {
    if (onConditionFailed && isConditionFailed(e)) return onConditionFailed(e);
    if (e instanceof ControlPlaneError) throw e;
    throw new DynamoStoreError(operation, { cause: e });
  }
}
