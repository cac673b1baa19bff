import type { Broadcaster, Metrics } from '../ports';

/** The broadcaster, counting each push by outcome (`cronium_ws_messages_pushed_total`). */
export const countPushes = <B extends Broadcaster>(broadcaster: B, metrics: Metrics): B => ({
  ...broadcaster,
  async send(connectionId: string, message: unknown) {
    const outcome = await broadcaster.send(connectionId, message);
    metrics.count('cronium_ws_messages_pushed_total', { outcome });
    return outcome;
  },
});
