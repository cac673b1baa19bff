import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Workflow, WorkflowRun, WorkflowStore } from '../../core';
import { ValidationError } from '../../core';
import { call, type TableContext } from './call';
import { Expr } from './expression';
import { deleteItem, getItem, putNew, putNextVersion } from './itemOps';
import { compact, toModel, type Item } from './items';
import { IndexKeys, Keys } from './keys';
import { listNewestFirst } from './listing';
import { TableIndexes } from './schema';

const { byTenant, byEvent, active } = TableIndexes;

const toWorkflow = (item: Item): Workflow => toModel<Workflow>(item);
const toRun = (item: Item): WorkflowRun => toModel<WorkflowRun>(item);

/**
 * The WorkflowStore: a workflow at `T#<tenant>#WORKFLOW#<id>` / `WORKFLOW`, listed through gsi1
 * `T#<tenant>#WORKFLOWS`; a run at `T#<tenant>#WFRUN#<id>` / `WFRUN`, listed by workflow through gsi3
 * `T#<tenant>#WORKFLOW#<id>#RUNS` and, while running, in gsi4 `WFRUNS` (oldest first) for the tick.
 */
export const createDynamoWorkflowStore = (ctx: TableContext): WorkflowStore => {
  const { client, tableName } = ctx;

  const runItem = (r: WorkflowRun): Item =>
    compact({
      ...r,
      ...Keys.workflowRun(r.tenant, r.id),
      [byEvent.partitionKey]: IndexKeys.runsByWorkflow(r.tenant, r.workflowId),
      [byEvent.sortKey]: IndexKeys.created(r.createdAt, r.id),
      ...(r.status === 'running'
        ? { [active.partitionKey]: IndexKeys.runningRuns, [active.sortKey]: IndexKeys.activeSort(r.createdAt, r.tenant, r.id) }
        : {}),
    });

  return {
    async put(w) {
      const item = {
        ...w,
        ...Keys.workflow(w.tenant, w.id),
        [byTenant.partitionKey]: IndexKeys.workflowsByTenant(w.tenant),
        [byTenant.sortKey]: IndexKeys.created(w.createdAt, w.id),
      };
      await call('PutItem', () => client.send(new PutCommand({ TableName: tableName, Item: compact(item) })));
    },

    async get(tenant, id) {
      const item = await getItem(ctx, Keys.workflow(tenant, id));
      return item ? toWorkflow(item) : undefined;
    },

    list(tenant, q) {
      const partition = {
        index: byTenant,
        partition: IndexKeys.workflowsByTenant(tenant),
        tableKey: (id: string) => Keys.workflow(tenant, id),
      };
      return listNewestFirst(ctx, partition, q, toWorkflow);
    },

    delete: (tenant, id) => deleteItem(ctx, Keys.workflow(tenant, id)),

    async createRun(run) {
      await putNew(ctx, runItem(run), `workflow run ${run.id} already exists`);
    },

    async getRun(tenant, id) {
      const item = await getItem(ctx, Keys.workflowRun(tenant, id));
      return item ? toRun(item) : undefined;
    },

    async updateRun(run) {
      await putNextVersion(ctx, runItem(run), run.version, `workflow run ${run.id} changed since it was read`);
    },

    listRuns(tenant, workflowId, q) {
      const partition = {
        index: byEvent,
        partition: IndexKeys.runsByWorkflow(tenant, workflowId),
        tableKey: (id: string) => Keys.workflowRun(tenant, id),
      };
      return listNewestFirst(ctx, partition, q, toRun);
    },

    async runningRuns(limit) {
      if (!Number.isSafeInteger(limit) || limit < 1) throw new ValidationError('limit', 'must be a positive integer');
      const e = new Expr();
      const res = await call('Query', () =>
        client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: active.name,
            KeyConditionExpression: `${e.name(active.partitionKey)} = ${e.value(IndexKeys.runningRuns)}`,
            ScanIndexForward: true,
            Limit: limit,
            ...e.params(),
          }),
        ),
      );
      return (res.Items ?? []).map(toRun);
    },
  };
};
