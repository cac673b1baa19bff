import type { CoreDeps } from '../deps';
import { ControlPlaneError } from '../errors';
import type { ComponentReport, HealthCheck } from '../ports';
import { storeHealthCheck } from './storeHealthCheck';

/** A component's answer with how long it took. */
export interface ComponentHealth extends ComponentReport {
  latencyMs: number;
}

/** `GET /health`. */
export interface HealthReport {
  status: 'ok' | 'down';
  version: string;
  uptimeSeconds: number;
  components: Record<string, ComponentHealth>;
}

/** `GET /ready`: the status of each component, and why a failing one fails. */
export interface ReadyReport {
  status: 'ok' | 'down';
  components: Record<string, { status: 'ok' | 'down'; reason?: string }>;
}

/** How long a whole check may take: past it the component is down ("no answer within …"). */
export const HEALTH_DEADLINE_MS = 2_000;

const settle = (check: HealthCheck, deadlineMs: number, deps: Pick<CoreDeps, 'logger'>): Promise<ComponentReport> => {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<ComponentReport>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'down', reason: `no answer within ${deadlineMs} ms` }), deadlineMs);
    timer.unref?.();
  });
  const answer = check.check().catch((err: unknown): ComponentReport => {
    deps.logger.warn({ err, component: check.component }, 'health check failed');
    // The error's own message may name a socket path or an endpoint: only its kind goes out.
    const kind = err instanceof ControlPlaneError ? err.code : err instanceof Error ? err.name : 'error';
    return { status: 'down', reason: `check failed (${kind})` };
  });
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
};

/**
 * Liveness, readiness and health of one process: the store (always), and whatever the composition
 * root checks (the container engine and its images, the queue, ECS). Checks run in parallel, each
 * within `deadlineMs`.
 */
export const createHealth = (deps: Pick<CoreDeps, 'store' | 'clock' | 'logger' | 'health'>, opts: { deadlineMs?: number } = {}) => {
  const startedAt = deps.clock.now();
  const deadlineMs = opts.deadlineMs ?? HEALTH_DEADLINE_MS;
  const checks = [storeHealthCheck(deps.store), ...(deps.health?.checks ?? [])];

  const run = async (): Promise<Record<string, ComponentHealth>> => {
    const results = await Promise.all(
      checks.map(async (check) => {
        const start = performance.now();
        const report = await settle(check, deadlineMs, deps);
        return [check.component, { ...report, latencyMs: Math.round((performance.now() - start) * 10) / 10 }] as const;
      }),
    );
    return Object.fromEntries(results);
  };
  const overall = (components: Record<string, ComponentReport>) =>
    Object.values(components).every((c) => c.status === 'ok') ? ('ok' as const) : ('down' as const);

  return {
    /** The process answers; nothing else is checked. */
    live: () => ({ status: 'ok' as const }),
    async ready(): Promise<ReadyReport> {
      const components = await run();
      return {
        status: overall(components),
        components: Object.fromEntries(
          Object.entries(components).map(([name, c]) => [name, { status: c.status, ...(c.reason ? { reason: c.reason } : {}) }]),
        ),
      };
    },
    async health(): Promise<HealthReport> {
      const components = await run();
      return {
        status: overall(components),
        version: deps.health?.version ?? 'unknown',
        uptimeSeconds: Math.floor((deps.clock.now() - startedAt) / 1000),
        components,
      };
    },
  };
};

export type Health = ReturnType<typeof createHealth>;
