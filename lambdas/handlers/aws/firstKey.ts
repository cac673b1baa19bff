import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, createDynamoStore } from '../../adapters/dynamodb';
import { createIdGenerator, systemClock } from '../../adapters/system';
import { ConflictError, createAuth, defaultCoreConfig, type IssuedKey } from '../../core';

/** What `npm run aws:bootstrap` prints: where the deployment answers and its first operator key. */
export interface FirstKey extends IssuedKey {
  restUrl: string;
  webSocketUrl: string;
}

export interface FirstKeyOptions {
  stackName: string;
  cloudFormation?: CloudFormationClient;
  documentClient?: DynamoDBDocumentClient;
  /** Mint one more operator key although one exists (a lost key: revoke the old one through the API). */
  another?: boolean;
}

const outputsOf = async (cfn: CloudFormationClient, stackName: string): Promise<Record<string, string>> => {
  const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  const outputs = Stacks?.[0]?.Outputs ?? [];
  return Object.fromEntries(outputs.flatMap((o) => (o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [])));
};

const outputNamed = (outputs: Record<string, string>, name: string, stackName: string): string => {
  const value = outputs[name];
  if (!value) throw new Error(`stack ${stackName} has no ${name} output: is it a Cronium stack, deployed to the end?`);
  return value;
};

/**
 * Creates the first operator key of a deployed stack with the caller's own AWS credentials: it reads
 * the stack's outputs, stores only the key's hash in the stack's table and returns the key once.
 * @throws ConflictError when the stack already has an operator key (unless `another`).
 */
export const issueFirstKey = async (o: FirstKeyOptions): Promise<FirstKey> => {
  const outputs = await outputsOf(o.cloudFormation ?? new CloudFormationClient({}), o.stackName);
  const tableName = outputNamed(outputs, 'TableName', o.stackName);
  const store = createDynamoStore({ tableName, client: o.documentClient ?? createDocumentClient() });
  const auth = createAuth({ store, clock: systemClock, ids: createIdGenerator(), config: defaultCoreConfig });
  const operators = (await store.apiKeys.list('default')).filter((k) => k.role === 'operator');
  if (operators.length > 0 && !o.another) {
    throw new ConflictError(
      `stack ${o.stackName} already has an operator key (ending ${operators[0]!.lastFour}); pass --another to create one more`,
    );
  }
  const issued = await auth.issue('default', 'operator');
  return {
    ...issued,
    restUrl: outputNamed(outputs, 'RestApiUrl', o.stackName).replace(/\/+$/, ''),
    webSocketUrl: outputNamed(outputs, 'WebSocketUrl', o.stackName),
  };
};
