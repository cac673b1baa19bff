/**
 * The bench's control plane, run as a child process (`fork`) so its memory can be read apart from
 * the clients'. Sends `{url, wsUrl, adminKey}` to the parent once listening; closes on "close".
 */
import { createLocalControlPlane } from '../lambdas/local/createLocalControlPlane';

const main = async () => {
  const local = await createLocalControlPlane(process.env);
  process.send?.({ url: local.url, wsUrl: local.wsUrl, adminKey: local.adminKey });
  process.on('message', (m) => {
    if (m !== 'close') return;
    void local.close().finally(() => process.exit(0));
  });
  process.on('disconnect', () => void local.close().finally(() => process.exit(0)));
};

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
