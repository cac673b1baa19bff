import { DescribeClustersCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { HealthCheck } from '../../core';

/**
 * The AWS home's launcher check: the job cluster is ACTIVE (DescribeClusters on that one cluster).
 * Details are counts only; the reason never carries the SDK's message (it may name ARNs).
 */
export const createEcsHealthCheck = (o: { client: ECSClient; cluster: string }): HealthCheck => ({
  component: 'ecs',
  async check() {
    try {
      const out = await o.client.send(new DescribeClustersCommand({ clusters: [o.cluster] }));
      const cluster = out.clusters?.[0];
      if (!cluster) return { status: 'down', reason: 'the job cluster was not found' };
      const details = { runningTasks: cluster.runningTasksCount ?? 0, pendingTasks: cluster.pendingTasksCount ?? 0 };
      return cluster.status === 'ACTIVE'
        ? { status: 'ok', details }
        : { status: 'down', reason: `the job cluster is ${cluster.status ?? 'in an unknown state'}`, details };
    } catch (err) {
      return { status: 'down', reason: `ECS did not answer (${err instanceof Error ? err.name : 'error'})` };
    }
  },
});
