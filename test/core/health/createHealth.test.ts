import { describe, expect, it } from 'vitest';
import { createHealth } from '../../../lambdas/core/health/createHealth';
import type { HealthCheck } from '../../../lambdas/core/ports';
import { createTestDeps } from '../../helpers/memory/createTestDeps';

const check = (component: string, act: () => Promise<Awaited<ReturnType<HealthCheck['check']>>>): HealthCheck => ({
  component,
  check: act,
});

describe('health', () => {
  it('reports every component ok with its latency, the version and the uptime', async () => {
    const deps = createTestDeps();
    const health = createHealth({
      ...deps,
      health: { version: '1.2.3', checks: [check('docker', async () => ({ status: 'ok', details: { engine: '27.0.1' } }))] },
    });
    deps.clock.advance(90_000);

    const report = await health.health();

    expect(report).toMatchObject({ status: 'ok', version: '1.2.3', uptimeSeconds: 90 });
    expect(report.components['store']).toMatchObject({ status: 'ok', latencyMs: expect.any(Number) });
    expect(report.components['docker']).toMatchObject({ status: 'ok', details: { engine: '27.0.1' } });
  });

  it('is not ready while one component is down, naming it and why', async () => {
    const deps = createTestDeps();
    const health = createHealth({
      ...deps,
      health: { version: '1', checks: [check('images', async () => ({ status: 'down', reason: 'image cronium/node:latest is missing' }))] },
    });

    const ready = await health.ready();

    expect(ready).toEqual({
      status: 'down',
      components: { store: { status: 'ok' }, images: { status: 'down', reason: 'image cronium/node:latest is missing' } },
    });
  });

  it('marks a component that does not answer within the deadline down, without waiting for it', async () => {
    const deps = createTestDeps();
    const health = createHealth(
      { ...deps, health: { version: '1', checks: [check('queue', () => new Promise(() => {}))] } },
      { deadlineMs: 50 },
    );
    const started = Date.now();

    const ready = await health.ready();

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(ready.components['queue']).toEqual({ status: 'down', reason: 'no answer within 50 ms' });
  });

  it('gives only the kind of a thrown error, never its message (which may name a path or an endpoint)', async () => {
    const deps = createTestDeps();
    const warned: unknown[] = [];
    const health = createHealth({
      ...deps,
      logger: { ...deps.logger, warn: (o) => warned.push(o) },
      health: {
        version: '1',
        checks: [
          check('docker', async () => {
            throw new TypeError('connect ENOENT /home/someone/.docker/run/docker.sock');
          }),
        ],
      },
    });

    const report = await health.health();

    expect(report.status).toBe('down');
    expect(report.components['docker']).toMatchObject({ status: 'down', reason: 'check failed (TypeError)' });
    expect(JSON.stringify(report)).not.toContain('docker.sock');
    expect(warned).toHaveLength(1);
  });

  it('checks the store itself: a store that fails is down', async () => {
    const deps = createTestDeps();
    deps.store.apiKeys.get = () => Promise.reject(new Error('unreachable'));
    const health = createHealth(deps);

    const ready = await health.ready();

    expect(ready).toEqual({ status: 'down', components: { store: { status: 'down', reason: 'check failed (Error)' } } });
  });

  it('is live without checking anything', () => {
    const deps = createTestDeps();
    deps.store.apiKeys.get = () => Promise.reject(new Error('unreachable'));

    expect(createHealth(deps).live()).toEqual({ status: 'ok' });
  });
});
