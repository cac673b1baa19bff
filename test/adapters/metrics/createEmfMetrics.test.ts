import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEmfMetrics, METRICS_NAMESPACE } from '../../../lambdas/adapters/metrics';

/** Every EMF document written to stdout while `act` runs. */
const emitted = (act: () => void): any[] => {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    spy.mockRestore();
  }
  return lines
    .flatMap((l) => l.split('\n'))
    .filter((l) => l.includes('_aws'))
    .map((l) => JSON.parse(l));
};

describe('the CloudWatch EMF metrics', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes each figure at once as an EMF document with its labels as dimensions', () => {
    const metrics = createEmfMetrics();

    const docs = emitted(() => {
      metrics.count('cronium_jobs_failed_total', { runtime: 'bash', target: 'container', code: 'oom', jobId: 'j-1' });
      metrics.observe('cronium_job_duration_seconds', 2.5, { runtime: 'node', target: 'container', status: 'completed' });
    });

    expect(docs).toHaveLength(2);
    const [failed, duration] = docs;
    expect(failed._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Metrics: [{ Name: 'cronium_jobs_failed_total', Unit: 'Count' }],
    });
    expect(failed._aws.CloudWatchMetrics[0].Dimensions[0]).toEqual(expect.arrayContaining(['runtime', 'target', 'code']));
    expect(failed).toMatchObject({ runtime: 'bash', target: 'container', code: 'oom', cronium_jobs_failed_total: 1 });
    expect(failed).not.toHaveProperty('jobId');
    expect(duration).toMatchObject({ cronium_job_duration_seconds: 2.5, status: 'completed' });
    expect(duration._aws.CloudWatchMetrics[0].Metrics[0].Unit).toBe('Seconds');
  });

  it('leaves per-process membership gauges out', () => {
    const metrics = createEmfMetrics();

    const docs = emitted(() => metrics.member('cronium_jobs_active', 'j-1', true));

    expect(docs).toEqual([]);
  });
});
