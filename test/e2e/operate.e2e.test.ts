import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Harness } from './harness';
import { apiClient, startHarness, waitForJob } from './harness';

/** One series' value in a Prometheus text scrape (0 when absent). */
const valueOf = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
};

describe('operating the local control plane', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => h.close());

  const anonymous = () => apiClient(h.local.url);

  it('answers /live, /ready and /health without a key, revealing no path, key or tenant', async () => {
    const live = await anonymous().get('/live');
    const ready = await anonymous().get('/ready');
    const health = await anonymous().get('/health');

    expect(live).toEqual({ status: 200, body: { status: 'ok' } });
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ok',
      components: { store: { status: 'ok' }, docker: { status: 'ok' }, images: { status: 'ok' }, queue: { status: 'ok' } },
    });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'ok',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      uptimeSeconds: expect.any(Number),
      components: {
        store: { status: 'ok', latencyMs: expect.any(Number) },
        docker: { status: 'ok', details: { engine: expect.any(String) } },
        images: { status: 'ok', details: { present: 3 } },
        queue: { status: 'ok' },
      },
    });
    const text = JSON.stringify([ready.body, health.body]);
    expect(text).not.toContain(h.local.settings.dataDir);
    expect(text).not.toContain(h.local.adminKey);
    expect(text).not.toContain('default');
    expect(text).not.toMatch(/\.sock|\/var\/|\/home\//);
  });

  it('serves the OpenAPI document without a key', async () => {
    const res = await anonymous().get('/openapi.json');

    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(res.body.paths['/jobs/{id}'].get).toBeDefined();
  });

  it('moves the job figures as a job runs, scraped before and after', async () => {
    const scrape = async () => {
      const res = await fetch(`${h.local.url}/metrics`);
      expect(res.status).toBe(200);
      return res.text();
    };
    const l = 'runtime="bash",target="container"';
    const before = await scrape();

    const { body } = await h.admin.post('/jobs', { runtime: 'bash', script: 'echo one; exit 3' });
    const job = await waitForJob(h.admin, body.id);
    await h.admin.get(`/jobs/${body.id}`);
    const after = await scrape();

    expect(job.status).toBe('failed');
    const delta = (series: string) => valueOf(after, series) - valueOf(before, series);
    expect(delta(`cronium_jobs_received_total{${l}}`)).toBe(1);
    expect(delta(`cronium_jobs_started_total{${l}}`)).toBe(1);
    expect(delta(`cronium_jobs_failed_total{${l},code="exit_nonzero"}`)).toBe(1);
    expect(delta(`cronium_job_duration_seconds_count{${l},status="failed"}`)).toBe(1);
    expect(delta(`cronium_job_queue_wait_seconds_count{${l}}`)).toBe(1);
    expect(delta('cronium_api_requests_total{method="POST",route="/jobs",status="202"}')).toBe(1);
    expect(valueOf(after, 'cronium_api_requests_total{method="GET",route="/jobs/:id",status="200"}')).toBeGreaterThan(0);
    expect(after).not.toContain(body.id);
    expect(valueOf(after, 'cronium_jobs_active')).toBe(0);
  });
});

describe('a local control plane whose runtime images are missing', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ CRONIUM_IMAGE_PREFIX: 'cronium-absent' });
  });
  afterAll(async () => h.close());

  it('is live but not ready: 503 naming the images component and why', async () => {
    const live = await apiClient(h.local.url).get('/live');
    const ready = await apiClient(h.local.url).get('/ready');
    const health = await apiClient(h.local.url).get('/health');

    expect(live.status).toBe(200);
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('down');
    expect(ready.body.components.images).toEqual({
      status: 'down',
      reason: 'missing runtime images: cronium-absent/bash:latest, cronium-absent/python:latest, cronium-absent/node:latest',
    });
    expect(ready.body.components.store).toEqual({ status: 'ok' });
    expect(health.status).toBe(503);
    expect(health.body.components.images.status).toBe('down');
  });
});
