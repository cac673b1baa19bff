import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ValidationError, WorkspaceLimits } from '../../core';
import type { Variable, VariableStore } from '../../core';
import { call, type TableContext } from './call';
import { DynamoStoreError } from './errors';
import { compact, toModel, type Item } from './items';
import { Expr } from './expression';
import { Keys, variablesPartition } from './keys';
import { deleteItem } from './itemOps';
import { queryAll } from './listing';
import { bumpVariablesVersion } from './queuedCountStore';

/** The attribute holding a plain variable's value as JSON text. */
const VALUE_JSON = 'valueJson';

/**
 * The largest plain value, as JSON text. DynamoDB refuses items over 400 KB; checking first turns
 * an oversized value into a 400 for the caller instead of a failed write.
 */
export const MAX_VARIABLE_VALUE_BYTES = WorkspaceLimits.maxValueBytes;

/**
 * The value as JSON text, or undefined when there is none.
 * @throws ValidationError('value') when it is not JSON or larger than MAX_VARIABLE_VALUE_BYTES.
 */
function valueJson(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json === undefined) throw new ValidationError('value', 'must be a JSON value');
  if (Buffer.byteLength(json, 'utf8') > MAX_VARIABLE_VALUE_BYTES) {
    throw new ValidationError('value', `must be at most ${MAX_VARIABLE_VALUE_BYTES} bytes as JSON`);
  }
  return json;
}

/**
 * The stored attributes of a variable. A secret carries only its ciphertext and a plain variable
 * only its value, so no plaintext of a secret can reach the table by mistake.
 * @throws ValidationError for a secret with a value or without a ciphertext, or a plain variable with a ciphertext.
 */
function toAttributes(v: Variable): Item {
  const { value, ciphertext, ...rest } = v;
  if (v.secret) {
    if (value !== undefined) throw new ValidationError('value', 'a secret variable is stored as its ciphertext only');
    if (typeof ciphertext !== 'string' || ciphertext.length === 0) throw new ValidationError('ciphertext', 'a secret variable needs one');
    return { ...rest, ciphertext };
  }
  if (ciphertext !== undefined) throw new ValidationError('ciphertext', 'only a secret variable has one');
  return { ...rest, [VALUE_JSON]: valueJson(value) };
}

const toVariable = (item: Item): Variable => {
  const variable = toModel<Variable>(item, [VALUE_JSON]);
  const json = item[VALUE_JSON];
  if (typeof json !== 'string') return variable;
  try {
    return { ...variable, value: JSON.parse(json) as unknown };
  } catch (e) {
    throw new DynamoStoreError(`read of variable ${variable.key} (stored value is not JSON)`, { cause: e });
  }
};

/**
 * A variable exactly as the store gives it back after a put: validated (secret as ciphertext only,
 * a plain value at most MAX_VARIABLE_VALUE_BYTES of JSON) and the value round-tripped through JSON.
 * In-memory fakes use it, so they hold variables to the same rules.
 * @throws ValidationError as `put` does.
 */
export const asStoredVariable = (v: Variable): Variable => toVariable(toAttributes(v));

/**
 * The VariableStore: a tenant's variables share the partition `T#<tenant>#VAR`, one item per
 * variable with the key as sort key, so `list` is one Query (followed across pages), in key order.
 * A plain value is stored as JSON text (`valueJson`): DynamoDB numbers cannot hold every JSON
 * number (1e300, integers past 2^53), and text keeps the value exactly as it was given.
 */
export const createDynamoVariableStore = (ctx: TableContext): VariableStore => {
  const { client, tableName } = ctx;

  return {
    async put(variable) {
      const item = { ...toAttributes(variable), ...Keys.variable(variable.tenant, variable.key) };
      await call('PutItem', () => client.send(new PutCommand({ TableName: tableName, Item: compact(item) })));
      await bumpVariablesVersion(ctx, variable.tenant);
    },

    async get(tenant, key) {
      const res = await call('GetItem', () =>
        client.send(new GetCommand({ TableName: tableName, Key: Keys.variable(tenant, key), ConsistentRead: true })),
      );
      return res.Item ? toVariable(res.Item) : undefined;
    },

    async list(tenant) {
      const e = new Expr();
      const items = await queryAll(ctx, {
        KeyConditionExpression: `${e.name('pk')} = ${e.value(variablesPartition(tenant))}`,
        ConsistentRead: true,
        ...e.params(),
      });
      return items.map(toVariable);
    },

    async delete(tenant, key) {
      if (!(await deleteItem(ctx, Keys.variable(tenant, key)))) return false;
      await bumpVariablesVersion(ctx, tenant);
      return true;
    },
  };
};
