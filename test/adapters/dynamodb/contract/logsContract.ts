import { describe, expect, it } from 'vitest';
import { ConflictError, ValidationError } from '../../../../lambdas/core/errors';
import type { LogStore } from '../../../../lambdas/core/ports/stores';
import { lines, seqs } from '../fixtures';
import { manualClock, type NewStore } from './context';

const key = { tenant: 'acme', jobId: 'job1' };

/** Batches 1-3, 4-7 and 8-10. */
async function appendThreeBatches(logs: LogStore) {
  await logs.append(key, { lines: lines(1, 3), totalBytes: 30 });
  await logs.append(key, { lines: lines(4, 7), totalBytes: 70, resumeToken: 't7' });
  await logs.append(key, { lines: lines(8, 10), totalBytes: 100, resumeToken: 't10' });
}

export function logsContract(newStore: NewStore) {
  describe('logs', () => {
    it('reads every line after a seq in the middle of a batch, across batch boundaries', async () => {
      const { logs } = await newStore();
      await appendThreeBatches(logs);

      expect(await logs.read(key, 0, 100)).toStrictEqual(lines(1, 10));
      expect(seqs(await logs.read(key, 2, 100))).toEqual([3, 4, 5, 6, 7, 8, 9, 10]);
      expect(seqs(await logs.read(key, 5, 100))).toEqual([6, 7, 8, 9, 10]);
      expect(seqs(await logs.read(key, 7, 100))).toEqual([8, 9, 10]);
      expect(await logs.read(key, 10, 100)).toEqual([]);
      expect(await logs.read(key, 50, 100)).toEqual([]);
    });

    it('stops at the limit, and a reader resuming from the last seq misses nothing', async () => {
      const { logs } = await newStore();
      await appendThreeBatches(logs);

      const first = await logs.read(key, 0, 4);
      const second = await logs.read(key, first.at(-1)!.seq, 3);
      const third = await logs.read(key, second.at(-1)!.seq, 100);

      expect([seqs(first), seqs(second), seqs(third)]).toEqual([
        [1, 2, 3, 4],
        [5, 6, 7],
        [8, 9, 10],
      ]);
    });

    it('reads many batches past one DynamoDB page', async () => {
      const { logs } = await newStore();
      for (let s = 1; s <= 60; s += 2) await logs.append(key, { lines: lines(s, s + 1), totalBytes: s });

      expect(seqs(await logs.read(key, 3, 1000))).toEqual(Array.from({ length: 57 }, (_, i) => i + 4));
    });

    it('keeps the logs of jobs and tenants apart', async () => {
      const { logs } = await newStore();
      await appendThreeBatches(logs);

      expect(await logs.read({ tenant: 'acme', jobId: 'job2' }, 0, 100)).toEqual([]);
      expect(await logs.read({ tenant: 'globex', jobId: 'job1' }, 0, 100)).toEqual([]);
    });

    it('rejects a second batch starting at the same seq', async () => {
      const { logs } = await newStore();
      await logs.append(key, { lines: lines(1, 3), totalBytes: 30 });

      const duplicate = logs.append(key, { lines: lines(1, 2), totalBytes: 20 });

      await expect(duplicate).rejects.toBeInstanceOf(ConflictError);
      expect(seqs(await logs.read(key, 0, 100))).toEqual([1, 2, 3]);
    });

    it('rejects an empty batch and one with a gap', async () => {
      const { logs } = await newStore();

      await expect(logs.append(key, { lines: [], totalBytes: 0 })).rejects.toBeInstanceOf(ValidationError);
      await expect(logs.append(key, { lines: [...lines(1, 2), ...lines(4, 4)], totalBytes: 0 })).rejects.toMatchObject({ field: 'lines' });
    });

    it('tells the tail: nothing yet, then the last batch', async () => {
      const { logs } = await newStore();

      const empty = await logs.tail(key);
      await appendThreeBatches(logs);
      const tail = await logs.tail(key);

      expect(empty).toStrictEqual({ lastSeq: 0, totalBytes: 0 });
      expect(tail).toStrictEqual({ lastSeq: 10, totalBytes: 100, resumeToken: 't10' });
    });

    it('ignores batches past their expiry that TTL has not deleted yet', async () => {
      const clock = manualClock();
      const { logs } = await newStore({ clock: clock.now, logTtlSeconds: 60 });
      await logs.append(key, { lines: lines(1, 3), totalBytes: 30 });
      clock.advance(30_000);
      await logs.append(key, { lines: lines(4, 5), totalBytes: 50 });

      clock.advance(31_000);
      const afterFirstExpired = await logs.read(key, 0, 100);
      const fromInsideExpired = await logs.read(key, 1, 100);
      clock.advance(30_000);
      const afterBothExpired = await logs.read(key, 0, 100);

      expect(seqs(afterFirstExpired)).toEqual([4, 5]);
      expect(seqs(fromInsideExpired)).toEqual([4, 5]);
      expect(afterBothExpired).toEqual([]);
      // The writer still resumes after the expired lines rather than reusing their seqs.
      expect((await logs.tail(key)).lastSeq).toBe(5);
    });
  });
}
