import { createApiClient } from '../cli/apiClient';
import { smokeChecks, type SmokeCheck, type SmokeTarget } from './checks';

export interface CheckResult {
  name: string;
  ok: boolean;
  ms: number;
  /** What went wrong, for a failed check. */
  reason?: string;
}

/** Runs the checks one after another against a deployment; a failed check does not stop the rest. */
export const runSmoke = async (target: SmokeTarget, checks: readonly SmokeCheck[] = smokeChecks): Promise<CheckResult[]> => {
  const clientWith = (key: string) => createApiClient({ baseUrl: target.url, apiKey: key });
  const ctx = { target, api: clientWith(target.key), clientWith };
  const results: CheckResult[] = [];
  for (const check of checks) {
    const started = performance.now();
    try {
      await check.run(ctx);
      results.push({ name: check.name, ok: true, ms: Math.round(performance.now() - started) });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      results.push({ name: check.name, ok: false, ms: Math.round(performance.now() - started), reason });
    }
  }
  return results;
};
