import { DeleteCommand, GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CircuitRecord, CircuitStore } from '../../core';
import { call } from './call';
import { Expr } from './expression';
import { Keys } from './keys';

const toRecord = (item: Record<string, unknown>): CircuitRecord => ({
  failures: Number(item['failures'] ?? 0),
  ...(typeof item['openUntil'] === 'number' ? { openUntil: item['openUntil'] } : {}),
  ...(typeof item['trialUntil'] === 'number' ? { trialUntil: item['trialUntil'] } : {}),
});

/**
 * The CircuitStore in the table: one item per server (`SSHCIRCUIT#<serverId>`), so every runner
 * instance sees the same failure count, open-until time and half-open trial lease. A closed circuit
 * has no item; a failure is an atomic ADD, the trial lease a conditional write.
 */
export const createDynamoCircuitStore = (o: { tableName: string; client: DynamoDBDocumentClient }): CircuitStore => {
  const { client, tableName } = o;
  const update = async (serverId: string, build: (e: Expr) => { UpdateExpression: string; ConditionExpression?: string }) => {
    const e = new Expr();
    const parts = build(e);
    const res = await client.send(
      new UpdateCommand({ TableName: tableName, Key: Keys.circuit(serverId), ...parts, ReturnValues: 'ALL_NEW', ...e.params() }),
    );
    return toRecord(res.Attributes ?? {});
  };
  return {
    async get(serverId) {
      const res = await call('GetItem', () =>
        client.send(new GetCommand({ TableName: tableName, Key: Keys.circuit(serverId), ConsistentRead: true })),
      );
      return res.Item ? toRecord(res.Item) : undefined;
    },
    async recordFailure(serverId, f) {
      const counted = await call('UpdateItem', () =>
        update(serverId, (e) => ({ UpdateExpression: `ADD ${e.name('failures')} ${e.value(1)} REMOVE ${e.name('trialUntil')}` })),
      );
      if (!f.reopen && counted.failures < f.threshold) return counted;
      return call('UpdateItem', () =>
        update(serverId, (e) => ({ UpdateExpression: `SET ${e.name('openUntil')} = ${e.value(f.openUntil)}` })),
      );
    },
    async reset(serverId) {
      await call('DeleteItem', () => client.send(new DeleteCommand({ TableName: tableName, Key: Keys.circuit(serverId) })));
    },
    async takeTrial(serverId, now, until) {
      return call(
        'UpdateItem',
        async () => {
          await update(serverId, (e) => ({
            UpdateExpression: `SET ${e.name('trialUntil')} = ${e.value(until)}`,
            ConditionExpression: `attribute_not_exists(${e.name('trialUntil')}) OR ${e.name('trialUntil')} <= ${e.value(now)}`,
          }));
          return true;
        },
        () => false,
      );
    },
  };
};
