import { numberFromEnv } from '../config/coreConfigFromEnv';
import { createLocalControlPlane } from './createLocalControlPlane';

/**
 * Runs the local control plane until SIGINT or SIGTERM, printing where it listens and,
 * on first start, the admin key.
 */
export const runLocal = async (env: NodeJS.ProcessEnv = process.env): Promise<void> => {
  const local = await createLocalControlPlane(env);
  const out = process.stdout;
  out.write(`Cronium is running at ${local.url} (WebSocket ${local.wsUrl})\n`);
  out.write(`Data directory: ${local.settings.dataDir}\n`);
  if (local.adminKeyCreated) {
    out.write(`Admin API key for tenant "default" (shown once; saved to ${local.settings.dataDir}/admin-key):\n  ${local.adminKey}\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  out.write('Stopping: no new work, answering the requests in flight; running jobs keep running and are re-attached on the next start.\n');
  await local.close({ graceMs: numberFromEnv(env, 'CRONIUM_SHUTDOWN_GRACE_MS', 10_000, { integer: true }) });
  out.write('Stopped.\n');
};
