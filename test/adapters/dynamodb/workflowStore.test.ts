import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoStore } from '../../../lambdas/adapters/dynamodb';
import { ConflictError, type Workflow, type WorkflowRun } from '../../../lambdas/core';
import type { WorkflowStore } from '../../../lambdas/core/ports';
import { startDynalite, type DynamoBackend } from '../../helpers/dynamo';
import { createMemoryWorkflowStore } from '../../helpers/memory/createMemoryWorkflowStore';

const t = (minute: number) => new Date(Date.UTC(2030, 0, 1, 0, minute)).toISOString();

const workflowFactory = (p: Partial<Workflow> = {}): Workflow => ({
  tenant: 'acme',
  id: 'w1',
  name: 'flow',
  nodes: [
    { id: 'a', eventId: 'e1' },
    { id: 'b', eventId: 'e1', input: { x: 1 } },
  ],
  edges: [{ from: 'a', to: 'b', when: 'success' }],
  version: 1,
  createdAt: t(0),
  updatedAt: t(0),
  ...p,
});

const runFactory = (p: Partial<WorkflowRun> = {}): WorkflowRun => ({
  ...workflowFactory(),
  id: 'r1',
  workflowId: 'w1',
  workflowName: 'flow',
  status: 'running',
  attempt: 1,
  steps: { a: { nodeId: 'a', status: 'running', attempt: 1, jobId: 'r1-a-1' }, b: { nodeId: 'b', status: 'pending', attempt: 1 } },
  version: 1,
  createdAt: t(1),
  updatedAt: t(1),
  ...p,
});

const workflowStoreContract = (name: string, newStore: () => Promise<WorkflowStore>) =>
  describe(`WorkflowStore (${name})`, () => {
    it('stores, lists newest first, replaces and deletes workflows, per tenant', async () => {
      const s = await newStore();
      await s.put(workflowFactory());
      await s.put(workflowFactory({ id: 'w2', createdAt: t(5) }));
      await s.put(workflowFactory({ tenant: 'globex', id: 'w3' }));
      expect(await s.get('acme', 'w1')).toEqual(workflowFactory());
      expect(await s.get('globex', 'w1')).toBeUndefined();
      const first = await s.list('acme', { limit: 1 });
      expect(first.items.map((w) => w.id)).toEqual(['w2']);
      const second = await s.list('acme', { limit: 1, cursor: first.nextCursor! });
      expect(second.items.map((w) => w.id)).toEqual(['w1']);
      expect(second.nextCursor).toBeUndefined();
      await s.put(workflowFactory({ name: 'renamed', version: 2 }));
      expect((await s.get('acme', 'w1'))?.name).toBe('renamed');
      expect(await s.delete('acme', 'w1')).toBe(true);
      expect(await s.delete('acme', 'w1')).toBe(false);
    });

    it('creates a run once and updates it only from the version it read', async () => {
      const s = await newStore();
      await s.createRun(runFactory());
      await expect(s.createRun(runFactory())).rejects.toBeInstanceOf(ConflictError);
      const next = runFactory({
        version: 2,
        steps: { ...runFactory().steps, b: { nodeId: 'b', status: 'running', attempt: 1, jobId: 'r1-b-1' } },
      });
      await s.updateRun(next);
      await expect(s.updateRun({ ...next, status: 'cancelled' })).rejects.toBeInstanceOf(ConflictError);
      expect(await s.getRun('acme', 'r1')).toEqual(next);
      expect(await s.getRun('globex', 'r1')).toBeUndefined();
    });

    it("lists a workflow's runs newest first, and only running runs for the tick", async () => {
      const s = await newStore();
      await s.createRun(runFactory());
      await s.createRun(runFactory({ id: 'r2', createdAt: t(2) }));
      await s.createRun(runFactory({ id: 'r3', createdAt: t(3), workflowId: 'w9' }));
      expect((await s.listRuns('acme', 'w1', { limit: 10 })).items.map((r) => r.id)).toEqual(['r2', 'r1']);
      await s.updateRun(runFactory({ id: 'r2', createdAt: t(2), status: 'completed', finishedAt: t(4), version: 2 }));
      expect((await s.runningRuns(10)).map((r) => r.id)).toEqual(['r1', 'r3']);
      expect((await s.runningRuns(1)).map((r) => r.id)).toEqual(['r1']);
    });
  });

workflowStoreContract('memory', async () => createMemoryWorkflowStore());

describe('on dynalite', () => {
  let backend: DynamoBackend | undefined;
  beforeAll(async () => {
    backend = await startDynalite();
  });
  afterAll(async () => {
    await backend?.stop();
  });
  workflowStoreContract(
    'dynalite',
    async () => createDynamoStore({ tableName: await backend!.newTable(), client: backend!.client }).workflows,
  );
});
