import type { HealthCheck, Store } from '../ports';

/** Reads one item that never exists: the store answers, with the grants the API already has. */
export const storeHealthCheck = (store: Store): HealthCheck => ({
  component: 'store',
  async check() {
    await store.apiKeys.get('cronium-health-probe');
    return { status: 'ok' };
  },
});
