import { describe, expect, it } from 'vitest';
import type { Job } from '../../../lambdas/core';
import { createControlPlane } from '../../../lambdas/core';
import { jobMetricsHook } from '../../../lambdas/core/metrics/jobMetricsHook';
import { createPromMetrics } from '../../../lambdas/adapters/metrics';
import { createRestHandler } from '../../../lambdas/handlers/rest';
import { createTestDeps } from '../../helpers/memory/createTestDeps';
import { fakeContext, restEvent } from '../../handlers/fixtures';

const job = (id: string, patch: Partial<Job>): Job =>
  ({
    tenant: `tenant-${id}`,
    id,
    runtime: 'bash',
    status: 'queued',
    version: 1,
    createdAt: '2026-01-01T00:00:00.000Z',
    timeoutSeconds: 60,
    resources: {},
    ...patch,
  }) as Job;

/** Walks one job through submission, start and an ending. */
const runThrough = async (hook: ReturnType<typeof jobMetricsHook>, id: string, ending: Partial<Job>) => {
  await hook.changed(job(id, {}), undefined);
  await hook.changed(job(id, { status: 'running', startedAt: '2026-01-01T00:00:01.500Z' }), 'claimed');
  await hook.changed(
    job(id, { startedAt: '2026-01-01T00:00:01.500Z', finishedAt: '2026-01-01T00:00:04.500Z', status: 'completed', ...ending }),
    'running',
  );
};

const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('the Prometheus metrics', () => {
  it('counts jobs by transition, with their duration and queue wait, in the text format', async () => {
    const metrics = createPromMetrics({ processMetrics: false });
    const hook = jobMetricsHook(metrics);

    await runThrough(hook, 'a', {});
    await runThrough(hook, 'b', { status: 'failed', error: { code: 'exit_nonzero', message: 'exit 1' } });
    await runThrough(hook, 'c', { status: 'timeout', error: { code: 'timeout', message: 'too long' } });
    const text = await metrics.render();

    const l = 'runtime="bash",target="container"';
    expect(value(text, `cronium_jobs_received_total{${l}}`)).toBe(3);
    expect(value(text, `cronium_jobs_started_total{${l}}`)).toBe(3);
    expect(value(text, `cronium_jobs_completed_total{${l}}`)).toBe(1);
    expect(value(text, `cronium_jobs_failed_total{${l},code="exit_nonzero"}`)).toBe(1);
    expect(value(text, `cronium_jobs_failed_total{${l},code="timeout"}`)).toBe(1);
    expect(value(text, `cronium_job_queue_wait_seconds_sum{${l}}`)).toBeCloseTo(4.5);
    expect(value(text, `cronium_job_duration_seconds_sum{${l},status="completed"}`)).toBeCloseTo(3);
    expect(value(text, `cronium_job_duration_seconds_bucket{le="2.5",${l},status="completed"}`)).toBe(0);
    expect(value(text, `cronium_job_duration_seconds_bucket{le="5",${l},status="completed"}`)).toBe(1);
    expect(value(text, 'cronium_jobs_active')).toBe(0);
    expect(value(text, 'cronium_jobs_waiting')).toBe(0);
  });

  it('counts jobs active and waiting by id, never below zero on a repeated or unknown ending', async () => {
    const metrics = createPromMetrics({ processMetrics: false });
    const hook = jobMetricsHook(metrics);

    await hook.changed(job('a', {}), undefined);
    await hook.changed(job('b', {}), undefined);
    await hook.changed(job('b', { status: 'running' }), 'claimed');
    await hook.changed(job('z', { status: 'completed' }), 'running');
    await hook.changed(job('z', { status: 'completed' }), 'running');
    const text = await metrics.render();

    expect(value(text, 'cronium_jobs_waiting')).toBe(1);
    expect(value(text, 'cronium_jobs_active')).toBe(1);
  });

  it('keeps the number of series bounded under 1,000 distinct job ids, tenants and request paths', async () => {
    const metrics = createPromMetrics({ processMetrics: false });
    const hook = jobMetricsHook(metrics);
    const deps = createTestDeps();
    const handler = createRestHandler(createControlPlane({ ...deps, metrics }));
    const traffic = async (from: number, to: number) => {
      for (let i = from; i < to; i++) {
        await runThrough(hook, `job-${i}`, i % 2 ? {} : { status: 'failed', error: { code: 'exit_nonzero', message: `exit ${i}` } });
        await handler(restEvent('GET', `/jobs/job-${i}`), fakeContext);
        await handler(restEvent('GET', `/no/such/path/${i}`), fakeContext);
      }
    };

    await traffic(0, 10);
    const after10 = await metrics.seriesCount();
    await traffic(10, 1000);
    const after1000 = await metrics.seriesCount();
    const text = await metrics.render();

    expect(after1000).toBe(after10);
    expect(text).not.toMatch(/job-\d/);
    expect(text).not.toMatch(/tenant-/);
    expect(value(text, 'cronium_api_requests_total{method="GET",route="/jobs/:id",status="404"}')).toBe(1000);
    expect(value(text, 'cronium_api_requests_total{method="GET",route="unmatched",status="404"}')).toBe(1000);
  });

  it('drops labels the catalog does not list for a figure', async () => {
    const metrics = createPromMetrics({ processMetrics: false });

    metrics.count('cronium_ws_messages_pushed_total', { outcome: 'sent', jobId: 'j-1' });
    const text = await metrics.render();

    expect(value(text, 'cronium_ws_messages_pushed_total{outcome="sent"}')).toBe(1);
    expect(text).not.toContain('j-1');
  });

  it('sets gauges read at scrape time by the beforeScrape callbacks', async () => {
    let connections = 2;
    const metrics = createPromMetrics({
      processMetrics: false,
      beforeScrape: [(m) => m.set('cronium_ssh_connections', connections, { server: '127.0.0.1:22' })],
    });

    const first = await metrics.render();
    connections = 0;
    const second = await metrics.render();

    expect(value(first, 'cronium_ssh_connections{server="127.0.0.1:22"}')).toBe(2);
    expect(value(second, 'cronium_ssh_connections{server="127.0.0.1:22"}')).toBe(0);
  });
});
