import { describe, expect, it } from 'vitest';
import type { LiveFeed } from '../../../lambdas/core/live/createLiveFeed';
import { scheduleDeliveries } from '../../../lambdas/core/live/scheduleDeliveries';
import type { Job } from '../../../lambdas/core/model';

const key = { tenant: 'acme', jobId: 'j1' };
const quiet = { debug() {}, info() {}, warn() {}, error() {} } as never;

/** A LiveFeed that records when each delivery pass and status push ran. */
const recordingFeed = () => {
  const calls: { kind: 'deliver' | 'status'; at: number }[] = [];
  const feed: LiveFeed = {
    subscribe: async () => {},
    remember: () => {},
    deliver: async () => void calls.push({ kind: 'deliver', at: performance.now() }),
    notifyStatus: async () => void calls.push({ kind: 'status', at: performance.now() }),
  };
  return { feed, calls };
};

describe('background deliveries', () => {
  it('folds the deliveries asked for within the coalescing window into one pass, started after the window', async () => {
    // Arrange
    const { feed, calls } = recordingFeed();
    const background = scheduleDeliveries(feed, quiet, { coalesceMs: 20 });
    const askedAt = performance.now();

    // Act: a job storing lines in five small batches, one right after the other.
    for (let i = 0; i < 5; i++) await background.deliver(key);
    await background.idle(key);

    // Assert
    expect(calls.map((c) => c.kind)).toEqual(['deliver']);
    // A timer counts from the event loop's cached time, which can trail performance.now() by a few ms
    // on a busy machine (CI measured 18.5 ms): "after the window" allows that much, never "at once".
    expect(calls[0]!.at - askedAt).toBeGreaterThanOrEqual(15);
  });

  it('returns at once to whoever asked, while the pass waits for its window', async () => {
    // Arrange
    const { feed, calls } = recordingFeed();
    const background = scheduleDeliveries(feed, quiet, { coalesceMs: 50 });

    // Act
    const started = performance.now();
    await background.deliver(key);
    const returnedAfter = performance.now() - started;

    // Assert
    expect(returnedAfter).toBeLessThan(20);
    expect(calls).toEqual([]);
    await background.idle(key);
    expect(calls.map((c) => c.kind)).toEqual(['deliver']);
  });

  it('sends a status asked for after a delivery only after that delivery', async () => {
    // Arrange
    const { feed, calls } = recordingFeed();
    const background = scheduleDeliveries(feed, quiet, { coalesceMs: 20 });

    // Act
    await background.deliver(key);
    await background.notifyStatus({ tenant: 'acme', id: 'j1', status: 'completed' } as Job, 10);
    await background.idle(key);

    // Assert
    expect(calls.map((c) => c.kind)).toEqual(['deliver', 'status']);
  });

  it('makes one more pass for lines stored while a pass runs', async () => {
    // Arrange: the first pass is held until released.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let passes = 0;
    const feed: LiveFeed = {
      subscribe: async () => {},
      remember: () => {},
      deliver: async () => {
        passes++;
        if (passes === 1) await held;
      },
      notifyStatus: async () => {},
    };
    const background = scheduleDeliveries(feed, quiet, { coalesceMs: 1 });

    // Act
    await background.deliver(key);
    while (passes === 0) await new Promise((r) => setTimeout(r, 1));
    for (let i = 0; i < 3; i++) await background.deliver(key);
    release();
    await background.idle(key);

    // Assert
    expect(passes).toBe(2);
  });
});
