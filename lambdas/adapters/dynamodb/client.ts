import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * A DocumentClient as the stores expect it: undefined values dropped, numbers as JS numbers.
 * Pass `endpoint`, `region` and `credentials` for a local engine; leave them out on AWS.
 * @example const client = createDocumentClient({ endpoint: 'http://127.0.0.1:4567', region: 'local' });
 */
export function createDocumentClient(config: DynamoDBClientConfig = {}): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(new DynamoDBClient(config), {
    marshallOptions: { removeUndefinedValues: true },
  });
}
