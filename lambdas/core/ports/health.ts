/** How one dependency answered. `details` carry versions and counts only: no secret, path or tenant data. */
export interface ComponentReport {
  status: 'ok' | 'down';
  /** Why it is down, in words an operator can act on. */
  reason?: string;
  details?: Record<string, string | number | boolean>;
}

/** One dependency checked by `/ready` and `/health` (the container engine, the queue, ECS). */
export interface HealthCheck {
  readonly component: string;
  check(): Promise<ComponentReport>;
}

/** What a composition root tells the health use case; the store is always checked by the core. */
export interface HealthDeps {
  checks: readonly HealthCheck[];
  version: string;
}
