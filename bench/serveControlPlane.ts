/**
 * The bench's control plane, run as a child process (`fork`) so its memory can be read apart from
 * the clients'. Sends `{url, wsUrl, adminKey}` to the parent once listening; closes on "close".
 */
import { createLocalControlPlane } from '../lambdas/local/createLocalControlPlane';

const main = async () => {
  const local = await createLocalControlPlane(process.env);
  process.send?.({ url: local.url, wsUrl: local.wsUrl, adminKey: local.adminKey });
  process.on('message', (m) => {
    // "memory": the heap's share of RSS; "memory+gc" also after a full collection (the bench starts
    // this process with --expose-gc), so the soak can tell retained objects from memory malloc keeps.
    if (m === 'memory' || m === 'memory+gc') {
      const asIs = process.memoryUsage();
      if (m === 'memory+gc') (globalThis as { gc?: () => void }).gc?.();
      process.send?.({ memory: { asIs, afterGc: m === 'memory+gc' ? process.memoryUsage() : undefined } });
    }
    if (m !== 'close') return;
    void local.close().finally(() => process.exit(0));
  });
  process.on('disconnect', () => void local.close().finally(() => process.exit(0)));
};

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
