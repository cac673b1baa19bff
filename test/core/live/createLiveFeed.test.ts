import { describe, expect, it, vi } from 'vitest';
import { createControlPlane } from '../../../lambdas/core/createControlPlane';
import { createLiveFeed } from '../../../lambdas/core/live/createLiveFeed';
import { FrameLimits } from '../../../lambdas/core/live/packFrames';
import { createRecentLines } from '../../../lambdas/core/live/recentLines';
import type { LogLine } from '../../../lambdas/core/model';
import { callerFactory, rawLinesFactory } from '../../helpers/factories';
import type { Harness } from '../../helpers/memory/createHarness';
import { createHarness, errorOf, keyOf } from '../../helpers/memory/createHarness';

const acme = callerFactory({ tenant: 'acme' });
const globex = callerFactory({ tenant: 'globex' });
const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

/** Stored log lines `from`..`to`, as another process would have stored them. */
const logLines = (from: number, to: number): LogLine[] =>
  range(from, to).map((seq) => ({ seq, stream: 'stdout' as const, ts: '2026-12-05T00:00:00.000Z', line: `other ${seq}` }));

/** A running job with lines 1..n stored. */
const runningJobWithLines = async (h: Harness, n: number) => {
  const job = await h.launch(acme);
  if (n > 0) await h.cp.executions.output(keyOf(job), rawLinesFactory(n), `t${n}`);
  return job;
};

describe('subscribing to a job', () => {
  it('sends the current status, then the stored lines after afterSeq', async () => {
    // Arrange
    const h = createHarness();
    const job = await runningJobWithLines(h, 5);
    await h.connect('c1');

    // Act
    await h.cp.connections.subscribe('c1', job.id, 2);

    // Assert
    const messages = h.broadcaster.messagesFor('c1');
    expect(messages[0]).toEqual({ type: 'status', jobId: job.id, status: 'running' });
    expect(h.broadcaster.logSeqsFor('c1')).toEqual([3, 4, 5]);
    expect(messages[1]).toEqual({
      type: 'logs',
      jobId: job.id,
      lines: [3, 4, 5].map((seq) => ({ seq, stream: 'stdout', ts: expect.any(String), line: `line ${seq}` })),
    });
  });

  it('continues with new lines after the replay, with no gap and no duplicate', async () => {
    const h = createHarness();
    const job = await runningJobWithLines(h, 3);
    await h.connect('c1');
    await h.cp.connections.subscribe('c1', job.id, 1);

    await h.cp.executions.output(keyOf(job), rawLinesFactory(2, { from: 4 }), 't5');

    await h.cp.executions.settled(keyOf(job));

    expect(h.broadcaster.logSeqsFor('c1')).toEqual([2, 3, 4, 5]);
  });

  it('replays a long log past one page', async () => {
    const h = createHarness();
    const job = await runningJobWithLines(h, 1_201);
    await h.connect('c1');

    await h.cp.connections.subscribe('c1', job.id, 0);

    expect(h.broadcaster.logSeqsFor('c1')).toEqual(range(1, 1_201));
  });

  it('replays a log filled to its cap in frames within API Gateway’s 128 KiB, each filled to about its 32 KiB budget', async () => {
    // Arrange: 1 KiB lines until the recorder's cap (maxLogBytes, 4 MiB by default) stops storing them.
    const h = createHarness();
    const job = await runningJobWithLines(h, 0);
    const text = 'x'.repeat(1_000);
    for (let from = 1; from <= 4_500; from += 500) {
      const lines = rawLinesFactory(500, { from }).map((l) => ({ ...l, line: `${l.line} ${text}` }));
      await h.cp.executions.output(keyOf(job), lines, `t${from + 499}`);
    }
    const stored = await h.store.logs.read(keyOf(job), 0, 10_000);
    await h.connect('c1');

    // Act
    await h.cp.connections.subscribe('c1', job.id, 0);

    // Assert
    const frames = h.broadcaster.messagesFor('c1').filter((m) => m.type === 'logs');
    const sizes = frames.map((f) => Buffer.byteLength(JSON.stringify(f)));
    const storedBytes = stored.reduce((n, l) => n + Buffer.byteLength(JSON.stringify(l)), 0);
    expect(storedBytes).toBeGreaterThan(h.config.maxLogBytes * 0.9);
    expect(h.broadcaster.logSeqsFor('c1')).toEqual(range(1, stored.length));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(FrameLimits.budgetBytes);
    // The push count that has to fit in the WebSocket function's timeout: the stored bytes over
    // nearly full frames (docs/aws.md, "WebSocket replay"), about 140 for a full log.
    expect(frames.length).toBeLessThanOrEqual(Math.ceil(storedBytes / (FrameLimits.budgetBytes - 2_048)));
  });

  it('replays an ended job with its last seq on the status', async () => {
    const h = createHarness();
    const job = await runningJobWithLines(h, 2);
    await h.cp.executions.exited(keyOf(job), { exitCode: 0, oomKilled: false, timedOut: false });
    await h.connect('c1');

    await h.cp.connections.subscribe('c1', job.id, 0);

    expect(h.broadcaster.statusesFor('c1')).toEqual([{ type: 'status', jobId: job.id, status: 'completed', exitCode: 0, lastSeq: 2 }]);
    expect(h.broadcaster.logSeqsFor('c1')).toEqual([1, 2]);
  });

  it('sends nothing old to a subscriber that is up to date', async () => {
    const h = createHarness();
    const job = await runningJobWithLines(h, 3);
    await h.connect('c1');

    await h.cp.connections.subscribe('c1', job.id, 3);

    expect(h.broadcaster.logSeqsFor('c1')).toEqual([]);
  });

  it('meets lines recorded during the replay with no gap and no duplicate', async () => {
    // Arrange: the replay's first send is held back while more output arrives.
    const h = createHarness();
    const job = await runningJobWithLines(h, 3);
    await h.connect('c1');
    const gate = h.broadcaster.hold((_, m) => m.type === 'logs');
    const subscribing = h.cp.connections.subscribe('c1', job.id, 1);
    await gate.reached;

    // Act
    await h.cp.executions.output(keyOf(job), rawLinesFactory(3, { from: 4 }), 't6');
    await h.cp.executions.settled(keyOf(job));
    await h.cp.executions.output(keyOf(job), rawLinesFactory(2, { from: 7 }), 't8');
    await h.cp.executions.settled(keyOf(job));
    gate.release();
    await subscribing;

    // Assert
    expect(h.broadcaster.logSeqsFor('c1')).toEqual(range(2, 8));
  });

  it('meets lines recorded while the status is being sent with no gap and no duplicate', async () => {
    const h = createHarness();
    const job = await runningJobWithLines(h, 3);
    await h.connect('c1');
    const gate = h.broadcaster.hold((_, m) => m.type === 'status');
    const subscribing = h.cp.connections.subscribe('c1', job.id, 0);
    await gate.reached;

    await h.cp.executions.output(keyOf(job), rawLinesFactory(2, { from: 4 }), 't5');

    await h.cp.executions.settled(keyOf(job));
    gate.release();
    await subscribing;

    expect(h.broadcaster.logSeqsFor('c1')).toEqual(range(1, 5));
  });

  it('sends lines stored just before the sender gives up its lease (its second look)', async () => {
    // Arrange: output lands while the replay still holds the lease, after its last read.
    const h = createHarness();
    const job = await runningJobWithLines(h, 3);
    await h.connect('c1');
    const release = h.store.connections.releaseSendLease;
    let injected = false;
    h.store.connections.releaseSendLease = async (key, lease, progress) => {
      if (!injected) {
        injected = true;
        await h.cp.executions.output(key, rawLinesFactory(2, { from: 4 }), 't5');
        await h.cp.executions.settled(key);
      }
      return release(key, lease, progress);
    };

    // Act
    await h.cp.connections.subscribe('c1', job.id, 0);

    // Assert
    expect(injected).toBe(true);
    expect(h.broadcaster.logSeqsFor('c1')).toEqual(range(1, 5));
  });

  it('returns from a subscribe that other senders keep asking to look again, and delivers the rest in the background', async () => {
    // Arrange: every release of the lease comes with new output (whose sender asks) and 3 s later.
    const h = createHarness();
    const job = await runningJobWithLines(h, 1);
    await h.connect('c1');
    const release = h.store.connections.releaseSendLease;
    let next = 2;
    h.store.connections.releaseSendLease = async (key, lease, progress) => {
      if (next <= 10) {
        const from = next;
        next += 1;
        await h.cp.executions.output(key, rawLinesFactory(1, { from }), `t${from}`);
        await h.cp.executions.settled(key);
      }
      h.clock.advance(3_000);
      return release(key, lease, progress);
    };

    // Act
    await h.cp.connections.subscribe('c1', job.id, 0);
    const whenSubscribed = h.broadcaster.logSeqsFor('c1').length;

    // Assert: it came back after two passes (6 s), before the output stopped; the rest still arrives
    expect(whenSubscribed).toBeLessThan(10);
    await vi.waitFor(() => expect(h.broadcaster.logSeqsFor('c1')).toEqual(range(1, 10)));
  });

  it('meets lines recorded by another process during the replay with no gap and no duplicate', async () => {
    // Arrange: the WebSocket handler and the log recorder are different control planes on one store.
    const h = createHarness();
    const recorder = createControlPlane(h);
    const job = await runningJobWithLines(h, 2);
    await h.connect('c1');
    const gate = h.broadcaster.hold((_, m) => m.type === 'logs');
    const subscribing = h.cp.connections.subscribe('c1', job.id, 0);
    await gate.reached;

    // Act
    await recorder.executions.output(keyOf(job), rawLinesFactory(4, { from: 3 }), 't6');
    await recorder.executions.settled(keyOf(job));
    gate.release();
    await subscribing;
    await recorder.executions.output(keyOf(job), rawLinesFactory(1, { from: 7 }), 't7');
    await recorder.executions.settled(keyOf(job));

    // Assert
    expect(h.broadcaster.logSeqsFor('c1')).toEqual(range(1, 7));
  });

  it.each(range(1, 25))(
    'gives every subscriber everything, whenever it joined, when sends and store calls interleave (seed %i)',
    async (seed) => {
      // Arrange: sends and store calls yield at pseudo-random points, so replays and live output interleave in many ways.
      let state = seed;
      const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
      const jitter = async () => {
        for (let i = Math.floor(random() * 4); i > 0; i--) await new Promise((r) => setImmediate(r));
      };
      const fakes = createHarness();
      const h = createHarness({
        broadcaster: { ...fakes.broadcaster, send: async (c, m) => (await jitter(), fakes.broadcaster.send(c, m)) },
      });
      const job = await runningJobWithLines(h, 4);
      for (const part of [h.store.logs, h.store.connections] as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>[]) {
        for (const [name, fn] of Object.entries(part)) {
          part[name] = async (...args: unknown[]) => {
            await jitter();
            const result = await fn(...args);
            await jitter();
            return result;
          };
        }
      }
      const ws = createControlPlane(h);
      const subscribers = [
        ['a', 0],
        ['b', 2],
        ['c', 4],
        ['d', 1],
      ] as const;
      for (const [id] of subscribers) await h.connect(id);

      // Act: 10 reports of output while the four subscribe through another process.
      const outputs = range(0, 9).map(async (i) => {
        await jitter();
        await h.cp.executions.output(keyOf(job), rawLinesFactory(3, { from: 5 + 3 * i }), `t${i}`);
        await h.cp.executions.settled(keyOf(job));
      });
      const subscribes = subscribers.map(async ([id, after]) => {
        await jitter();
        await ws.connections.subscribe(id, job.id, after);
      });
      await Promise.all([...outputs, ...subscribes]);
      await h.cp.executions.settled(keyOf(job));

      // Assert
      for (const [id, after] of subscribers) expect(fakes.broadcaster.logSeqsFor(id), id).toEqual(range(after + 1, 34));
    },
  );

  it('gives two subscribers each every line', async () => {
    const h = createHarness();
    const job = await runningJobWithLines(h, 2);
    await h.connect('c1');
    await h.connect('c2');
    await h.cp.connections.subscribe('c1', job.id, 0);
    await h.cp.connections.subscribe('c2', job.id, 0);

    await h.cp.executions.output(keyOf(job), rawLinesFactory(2, { from: 3 }), 't4');

    await h.cp.executions.settled(keyOf(job));

    expect(h.broadcaster.logSeqsFor('c1')).toEqual([1, 2, 3, 4]);
    expect(h.broadcaster.logSeqsFor('c2')).toEqual([1, 2, 3, 4]);
  });

  it('drops the subscription of a connection that is gone, and keeps serving the others', async () => {
    // Arrange
    const h = createHarness();
    const job = await runningJobWithLines(h, 1);
    await h.connect('c1');
    await h.connect('c2');
    await h.cp.connections.subscribe('c1', job.id, 1);
    await h.cp.connections.subscribe('c2', job.id, 1);
    h.broadcaster.markGone('c1');

    // Act
    await h.cp.executions.output(keyOf(job), rawLinesFactory(2, { from: 2 }), 't3');
    await h.cp.executions.settled(keyOf(job));

    // Assert
    expect((await h.store.connections.listSubscriptions(keyOf(job))).map((s) => s.connectionId)).toEqual(['c2']);
    expect(h.broadcaster.logSeqsFor('c2')).toEqual([2, 3]);
  });

  it('drops the subscription when the connection is gone before the first message', async () => {
    const h = createHarness();
    const job = await runningJobWithLines(h, 3);
    await h.connect('c1');
    h.broadcaster.markGone('c1');

    await h.cp.connections.subscribe('c1', job.id, 0);

    expect(await h.store.connections.listSubscriptions(keyOf(job))).toEqual([]);
  });

  it('drops the subscription when the connection goes during a status notice', async () => {
    const h = createHarness();
    const job = await runningJobWithLines(h, 0);
    await h.connect('c1');
    await h.cp.connections.subscribe('c1', job.id, 0);
    h.broadcaster.markGone('c1');

    await h.cp.executions.exited(keyOf(job), { exitCode: 0, oomKilled: false, timedOut: false });

    expect(await h.store.connections.listSubscriptions(keyOf(job))).toEqual([]);
  });

  it('does not let a connection subscribe to another tenant’s job', async () => {
    const h = createHarness();
    const job = await runningJobWithLines(h, 2);
    await h.connect('intruder', globex);

    const err = await errorOf(() => h.cp.connections.subscribe('intruder', job.id, 0));

    expect(err).toMatchObject({ code: 'not_found' });
    expect(h.broadcaster.messagesFor('intruder')).toEqual([]);
    expect(await h.store.connections.listSubscriptions(keyOf(job))).toEqual([]);
  });

  it('refuses a subscription on a connection that was never registered', async () => {
    const h = createHarness();
    const job = await runningJobWithLines(h, 1);

    const err = await errorOf(() => h.cp.connections.subscribe('stranger', job.id, 0));

    expect(err).toMatchObject({ code: 'unauthorized' });
    expect(h.broadcaster.messagesFor('stranger')).toEqual([]);
  });

  it('refuses a subscription on a connection that disconnected', async () => {
    const h = createHarness();
    const job = await runningJobWithLines(h, 1);
    await h.connect('c1');
    await h.cp.connections.disconnect('c1');

    await expect(h.cp.connections.subscribe('c1', job.id, 0)).rejects.toMatchObject({ code: 'unauthorized' });
  });
});

describe('status pushes and the watched mark', () => {
  const ended = { exitCode: 0, oomKilled: false, timedOut: false };

  it('looks for no subscriber when it pushes the statuses of a job nobody subscribed to', async () => {
    // Arrange: count the subscription reads of a job launched and ended with no subscriber.
    const h = createHarness();
    let lists = 0;
    const list = h.store.connections.listSubscriptions.bind(h.store.connections);
    h.store.connections.listSubscriptions = (key) => (lists++, list(key));

    // Act
    const job = await runningJobWithLines(h, 2);
    await h.cp.executions.exited(keyOf(job), ended);
    await h.cp.executions.settled(keyOf(job));

    // Assert
    expect(lists).toBe(0);
    expect((await h.store.jobs.get(keyOf(job)))?.status).toBe('completed');
  });

  it('sends the status of a job that ends while the subscription is being put', async () => {
    // Arrange: the job ends between the subscription's put and the watched mark.
    const h = createHarness();
    const job = await runningJobWithLines(h, 2);
    await h.connect('c1');
    const put = h.store.connections.putSubscription.bind(h.store.connections);
    h.store.connections.putSubscription = async (s) => {
      await put(s);
      await h.cp.executions.exited(keyOf(job), ended);
      await h.cp.executions.settled(keyOf(job));
    };

    // Act
    await h.cp.connections.subscribe('c1', job.id, 0);

    // Assert
    expect(h.broadcaster.statusesFor('c1').at(-1)).toMatchObject({ status: 'completed', lastSeq: 2 });
    expect(h.broadcaster.logSeqsFor('c1')).toEqual([1, 2]);
  });

  it('sends the status of a job that ends just after the watched mark', async () => {
    // Arrange: the job ends after the mark, before the subscribe sends its first status.
    const h = createHarness();
    const job = await runningJobWithLines(h, 2);
    await h.connect('c1');
    const watch = h.store.jobs.watch.bind(h.store.jobs);
    h.store.jobs.watch = async (key) => {
      const marked = await watch(key);
      await h.cp.executions.exited(keyOf(job), ended);
      await h.cp.executions.settled(keyOf(job));
      return marked;
    };

    // Act
    await h.cp.connections.subscribe('c1', job.id, 0);

    // Assert: the ending's own push found the subscription.
    expect(h.broadcaster.statusesFor('c1').map((m) => m.status)).toContain('completed');
    expect(h.broadcaster.logSeqsFor('c1')).toEqual([1, 2]);
  });
});

describe('live delivery in frames and to slow subscribers', () => {
  it('sends many lines in one frame', async () => {
    const h = createHarness();
    const job = await runningJobWithLines(h, 0);
    await h.connect('c1');
    await h.cp.connections.subscribe('c1', job.id, 0);

    await h.cp.executions.output(keyOf(job), rawLinesFactory(200), 't200');

    await h.cp.executions.settled(keyOf(job));

    const frames = h.broadcaster.messagesFor('c1').filter((m) => m.type === 'logs');
    expect(frames).toHaveLength(1);
    expect(h.broadcaster.logSeqsFor('c1')).toEqual(range(1, 200));
  });

  it('tells a subscriber that cannot keep up that it lags, closes its subscription, and lets it resume with afterSeq', async () => {
    // Arrange: c1 takes its status and one frame, then refuses every large message.
    const h = createHarness();
    const job = await runningJobWithLines(h, 0);
    await h.connect('c1');
    await h.cp.connections.subscribe('c1', job.id, 0);
    const bigLines = (from: number) => rawLinesFactory(40, { from, prefix: 'x'.repeat(2_000) });
    await h.cp.executions.output(keyOf(job), bigLines(1), 't40');
    await h.cp.executions.settled(keyOf(job));
    h.broadcaster.markSlow('c1');

    // Act
    await h.cp.executions.output(keyOf(job), bigLines(41), 't80');
    await h.cp.executions.settled(keyOf(job));

    // Assert: a lagging notice with the last line sent; no more pushes to c1
    const sent = h.broadcaster.logSeqsFor('c1');
    expect(h.broadcaster.messagesFor('c1').at(-1)).toEqual({ type: 'lagging', jobId: job.id, sentSeq: sent.at(-1) });
    expect(await h.store.connections.listSubscriptions(keyOf(job))).toEqual([]);
    await h.cp.executions.output(keyOf(job), bigLines(81), 't120');
    await h.cp.executions.settled(keyOf(job));
    expect(h.broadcaster.logSeqsFor('c1')).toEqual(sent);

    // Act: it catches up and resumes after its last line
    h.broadcaster.markFast('c1');
    await h.cp.connections.subscribe('c1', job.id, sent.at(-1)!);

    // Assert: every line exactly once, in order
    expect(h.broadcaster.logSeqsFor('c1')).toEqual(range(1, 120));
  });

  it('keeps serving the other subscribers, all of them, when one is too slow', async () => {
    const h = createHarness();
    const job = await runningJobWithLines(h, 0);
    const ids = range(1, 40).map((i) => `c${i}`);
    for (const id of ids) {
      await h.connect(id);
      await h.cp.connections.subscribe(id, job.id, 0);
    }
    h.broadcaster.markSlow('c7');

    await h.cp.executions.output(keyOf(job), rawLinesFactory(100, { prefix: 'y'.repeat(1_000) }), 't100');

    await h.cp.executions.settled(keyOf(job));
    await h.cp.executions.output(keyOf(job), rawLinesFactory(5, { from: 101 }), 't105');
    await h.cp.executions.settled(keyOf(job));

    for (const id of ids.filter((id) => id !== 'c7')) expect(h.broadcaster.logSeqsFor(id), id).toEqual(range(1, 105));
    expect(h.broadcaster.messagesFor('c7').at(-1)).toMatchObject({ type: 'lagging', sentSeq: 0 });
    expect((await h.store.connections.listSubscriptions(keyOf(job))).map((s) => s.connectionId)).not.toContain('c7');
  });

  it('reads each replayed page once for subscribers that stand at the same line', async () => {
    // Arrange: lines stored by another process (nothing of them in this one's memory).
    const h = createHarness();
    const job = await runningJobWithLines(h, 0);
    for (const id of ['a', 'b', 'c', 'd']) {
      await h.connect(id);
      await h.cp.connections.subscribe(id, job.id, 0);
    }
    await h.store.logs.append(keyOf(job), { lines: logLines(1, 10), totalBytes: 100 });
    const read = h.store.logs.read;
    const reads: number[] = [];
    h.store.logs.read = (key, afterSeq, limit) => (reads.push(afterSeq), read(key, afterSeq, limit));

    // Act
    await createLiveFeed(h).deliver(keyOf(job));

    // Assert
    expect(reads.filter((after) => after === 0)).toHaveLength(1);
    for (const id of ['a', 'b', 'c', 'd']) expect(h.broadcaster.logSeqsFor(id)).toEqual(range(1, 10));
  });

  it('delivers the lines it just stored without reading them back', async () => {
    // Arrange
    const h = createHarness();
    const job = await runningJobWithLines(h, 0);
    await h.connect('a');
    await h.cp.connections.subscribe('a', job.id, 0);
    const read = h.store.logs.read;
    let reads = 0;
    h.store.logs.read = (key, afterSeq, limit) => (reads++, read(key, afterSeq, limit));

    // Act
    for (let i = 0; i < 5; i++) {
      await h.cp.executions.output(keyOf(job), rawLinesFactory(10, { from: i * 10 + 1 }), `t${i}`);
      await h.cp.executions.settled(keyOf(job));
    }

    // Assert
    expect(reads).toBe(0);
    expect(h.broadcaster.logSeqsFor('a')).toEqual(range(1, 50));
  });

  it('replays from the store to a subscriber behind the lines it remembers, then goes on from memory', async () => {
    // Arrange: 30 lines stored, of which this process remembers only the last 10.
    const h = createHarness();
    const job = await runningJobWithLines(h, 0);
    const recent = createRecentLines({ maxLines: 10 });
    const live = createLiveFeed({ ...h, recent });
    await h.store.logs.append(keyOf(job), { lines: logLines(1, 30), totalBytes: 300 });
    recent.add(keyOf(job), logLines(21, 30));
    await h.connect('late');
    await h.store.connections.putSubscription({ connectionId: 'late', tenant: job.tenant, jobId: job.id, sentSeq: 5 });
    const read = h.store.logs.read;
    const reads: number[] = [];
    h.store.logs.read = (key, afterSeq, limit) => (reads.push(afterSeq), read(key, afterSeq, limit));

    // Act
    await live.deliver(keyOf(job));
    await h.store.logs.append(keyOf(job), { lines: logLines(31, 32), totalBytes: 320 });
    await live.deliver(keyOf(job), logLines(31, 32));

    // Assert
    expect(h.broadcaster.logSeqsFor('late')).toEqual(range(6, 32));
    expect(reads).toEqual([5]);
  });

  it('hands subscribers that stand at the same line the same frame, so it is serialized once', async () => {
    // Arrange: record which message objects the log pushes carried.
    const h = createHarness();
    const job = await runningJobWithLines(h, 0);
    for (const id of ['a', 'b', 'c']) {
      await h.connect(id);
      await h.cp.connections.subscribe(id, job.id, 0);
    }
    const send = h.broadcaster.send.bind(h.broadcaster);
    const pushed = new Set<unknown>();
    h.broadcaster.send = (connectionId, message) => {
      if ((message as { type?: string }).type === 'logs') pushed.add(message);
      return send(connectionId, message);
    };

    // Act
    await h.cp.executions.output(keyOf(job), rawLinesFactory(10), 't10');
    await h.cp.executions.settled(keyOf(job));

    // Assert
    expect(pushed.size).toBe(1);
    for (const id of ['a', 'b', 'c']) expect(h.broadcaster.logSeqsFor(id)).toEqual(range(1, 10));
  });

  it('makes as many store requests for 30 subscribers as for one', async () => {
    // Arrange: count every request to the subscription store during one live pass.
    const requestsFor = async (subscribers: number) => {
      const h = createHarness();
      const job = await runningJobWithLines(h, 0);
      for (const i of range(1, subscribers)) {
        await h.connect(`c${i}`);
        await h.cp.connections.subscribe(`c${i}`, job.id, 0);
      }
      let requests = 0;
      const connections = h.store.connections as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      for (const [name, fn] of Object.entries(connections)) connections[name] = (...args) => (requests++, fn(...args));

      // Act
      await h.cp.executions.output(keyOf(job), rawLinesFactory(50), 't50');
      await h.cp.executions.settled(keyOf(job));
      for (const i of range(1, subscribers)) expect(h.broadcaster.logSeqsFor(`c${i}`)).toEqual(range(1, 50));
      return requests;
    };

    // Assert
    expect(await requestsFor(30)).toBe(await requestsFor(1));
  });

  it('serves many subscribers at once, but only a bounded number', async () => {
    // Arrange: every log push waits until released, so concurrent sends pile up at the gate.
    const h = createHarness();
    const job = await runningJobWithLines(h, 0);
    for (const i of range(1, 30)) {
      await h.connect(`c${i}`);
      await h.cp.connections.subscribe(`c${i}`, job.id, 0);
    }
    let inFlight = 0;
    let most = 0;
    const send = h.broadcaster.send;
    h.broadcaster.send = async (c, m) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return send(c, m);
    };

    // Act
    await h.cp.executions.output(keyOf(job), rawLinesFactory(3), 't3');
    await h.cp.executions.settled(keyOf(job));

    // Assert
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(16);
    for (const i of range(1, 30)) expect(h.broadcaster.logSeqsFor(`c${i}`)).toEqual([1, 2, 3]);
  });
});

describe('live delivery across a hole in the readable log', () => {
  it('stops before lines that are not readable yet and sends them, in order, once they are', async () => {
    // Arrange: lines 4..7 stored by another process, of which 4..5 are not readable yet (an earlier
    // batch landing late); this process remembers none of them, so it reads the store.
    const h = createHarness();
    const job = await runningJobWithLines(h, 3);
    await h.connect('c1');
    await h.cp.connections.subscribe('c1', job.id, 3);
    await h.cp.executions.settled(keyOf(job));
    const read = h.store.logs.read;
    let hidden = true;
    h.store.logs.read = async (key, afterSeq, limit) => (await read(key, afterSeq, limit)).filter((l) => !hidden || l.seq < 4 || l.seq > 5);

    // Act
    await h.store.logs.append(keyOf(job), { lines: logLines(4, 7), totalBytes: 70 });
    await createLiveFeed(h).deliver(keyOf(job));
    const whileHidden = h.broadcaster.logSeqsFor('c1').filter((seq) => seq > 3);
    hidden = false;
    await createLiveFeed(h).deliver(keyOf(job));

    // Assert
    expect(whileHidden).toEqual([]);
    expect(h.broadcaster.logSeqsFor('c1').filter((seq) => seq > 3)).toEqual([4, 5, 6, 7]);
  });
});
