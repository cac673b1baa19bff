import { describe, expect, it } from 'vitest';
import { createSingleWriterCache, type SingleWriterCacheLimits } from '../../lambdas/local/singleWriterCache';

type Value = { v: string };

const LIMITS: SingleWriterCacheLimits = { maxEntries: 100, maxBytes: 10_000, maxEntryBytes: 1_000 };

const cacheOf = (limits: Partial<SingleWriterCacheLimits> = {}) =>
  createSingleWriterCache<Value>({ ...LIMITS, ...limits, sizeOf: (x) => x.v.length, copy: (x) => structuredClone(x) });

/** A store whose loads wait until the test settles them, counting each. */
const slowStore = () => {
  const data = new Map<string, string>();
  const waiting: (() => void)[] = [];
  let loads = 0;
  return {
    data,
    loads: () => loads,
    /** A load of `key` that reads the store now and answers when `settle` is called. */
    load: (key: string) => () => {
      loads++;
      const value = { v: data.get(key) ?? '' };
      return new Promise<Value>((resolve) => waiting.push(() => resolve(value)));
    },
    settle: () => waiting.splice(0).forEach((fn) => fn()),
  };
};

/** A load that answers at once with what `data` holds for `key`, counted. */
const instant = (data: Map<string, string>, count: { n: number }, key: string) => () => {
  count.n++;
  return Promise.resolve({ v: data.get(key) ?? '' });
};

describe('createSingleWriterCache', () => {
  it('loads a key once, then answers from memory, each caller with its own copy', async () => {
    const cache = cacheOf();
    const data = new Map([['a', 'one']]);
    const count = { n: 0 };

    const first = await cache.read('a', instant(data, count, 'a'));
    first.v = 'changed by the first caller';
    const second = await cache.read('a', instant(data, count, 'a'));
    second.v = 'changed by the second caller';
    const third = await cache.read('a', instant(data, count, 'a'));

    expect(third).toStrictEqual({ v: 'one' });
    expect(count.n).toBe(1);
    expect(cache.stats()).toMatchObject({ entries: 1, hits: 2, misses: 1, tracked: 0 });
  });

  it('answers a read after a write with the write: the write drops the key', async () => {
    const cache = cacheOf();
    const data = new Map([['a', 'old']]);
    const count = { n: 0 };
    await cache.read('a', instant(data, count, 'a'));

    const end = cache.beginWrite(['a']);
    data.set('a', 'new');
    end();

    expect(await cache.read('a', instant(data, count, 'a'))).toStrictEqual({ v: 'new' });
    expect(count.n).toBe(2);
  });

  it('does not keep a read that started before a write and finished after it', async () => {
    const cache = cacheOf();
    const store = slowStore();
    store.data.set('a', 'old');

    const overlapping = cache.read('a', store.load('a')); // reads "old" now, answers later
    const end = cache.beginWrite(['a']);
    store.data.set('a', 'new');
    end();
    store.settle();
    expect(await overlapping).toStrictEqual({ v: 'old' });

    const next = cache.read('a', store.load('a'));
    store.settle();
    expect(await next).toStrictEqual({ v: 'new' });
    expect(store.loads()).toBe(2);
  });

  it('does not keep a read that started during a write, whether it ends before the write or after', async () => {
    const cache = cacheOf();
    const store = slowStore();
    store.data.set('a', 'old');
    store.data.set('b', 'old');

    const end = cache.beginWrite(['a', 'b']);
    const endsBefore = cache.read('a', store.load('a'));
    store.settle();
    await endsBefore;
    const endsAfter = cache.read('b', store.load('b'));
    store.data.set('a', 'new');
    store.data.set('b', 'new');
    end();
    store.settle();
    await endsAfter;

    const count = { n: 0 };
    expect(await cache.read('a', instant(store.data, count, 'a'))).toStrictEqual({ v: 'new' });
    expect(await cache.read('b', instant(store.data, count, 'b'))).toStrictEqual({ v: 'new' });
    expect(count.n).toBe(2);
  });

  it('does not keep a read of a key while a write to it is still in flight', async () => {
    const cache = cacheOf();
    const data = new Map([['a', 'old']]);
    const count = { n: 0 };

    const end = cache.beginWrite(['a']);
    await cache.read('a', instant(data, count, 'a'));
    await cache.read('a', instant(data, count, 'a'));
    end();

    expect(count.n).toBe(2);
    expect(cache.stats().entries).toBe(0);
  });

  it('keeps other keys when a write touches one', async () => {
    const cache = cacheOf();
    const data = new Map([
      ['a', 'A'],
      ['b', 'B'],
    ]);
    const count = { n: 0 };
    await cache.read('a', instant(data, count, 'a'));
    await cache.read('b', instant(data, count, 'b'));

    cache.beginWrite(['a'])();
    await cache.read('a', instant(data, count, 'a'));
    await cache.read('b', instant(data, count, 'b'));

    expect(count.n).toBe(3);
  });

  it('drops everything for a write of unknown keys, and keeps no read that overlapped it', async () => {
    const cache = cacheOf();
    const store = slowStore();
    store.data.set('a', 'old');
    const count = { n: 0 };
    await cache.read('z', instant(store.data, count, 'z'));

    const overlapping = cache.read('a', store.load('a'));
    const end = cache.beginWrite('all');
    expect(cache.stats().entries).toBe(0);
    store.data.set('a', 'new');
    end();
    store.settle();
    await overlapping;

    expect(await cache.read('a', instant(store.data, count, 'a'))).toStrictEqual({ v: 'new' });
    expect(count.n).toBe(2);
  });

  it('ends a write once, however often end is called', async () => {
    const cache = cacheOf();
    const data = new Map([['a', 'A']]);
    const count = { n: 0 };
    const endFirst = cache.beginWrite(['a']);
    const endSecond = cache.beginWrite(['a']);
    endFirst();
    endFirst();

    // The second write is still in flight: reads are not kept.
    await cache.read('a', instant(data, count, 'a'));
    expect(cache.stats().entries).toBe(0);
    endSecond();
    await cache.read('a', instant(data, count, 'a'));
    expect(cache.stats()).toMatchObject({ entries: 1, tracked: 0 });
  });

  it('forgets a key once nothing reads or writes it, so its bookkeeping stays bounded', async () => {
    const cache = cacheOf();
    const store = slowStore();
    const reads = Array.from({ length: 50 }, (_, i) => cache.read(`k${i}`, store.load(`k${i}`)));
    const ends = Array.from({ length: 50 }, (_, i) => cache.beginWrite([`w${i}`]));
    expect(cache.stats().tracked).toBe(100);

    store.settle();
    await Promise.all(reads);
    for (const end of ends) end();

    expect(cache.stats().tracked).toBe(0);
  });

  it('keeps at most maxEntries, dropping the least recently used first', async () => {
    const cache = cacheOf({ maxEntries: 2 });
    const data = new Map([
      ['a', 'A'],
      ['b', 'B'],
      ['c', 'C'],
    ]);
    const count = { n: 0 };
    await cache.read('a', instant(data, count, 'a'));
    await cache.read('b', instant(data, count, 'b'));
    await cache.read('a', instant(data, count, 'a')); // a is now the most recent
    await cache.read('c', instant(data, count, 'c')); // b goes
    expect(count.n).toBe(3);

    await cache.read('a', instant(data, count, 'a'));
    await cache.read('c', instant(data, count, 'c'));
    expect(count.n).toBe(3);
    await cache.read('b', instant(data, count, 'b'));
    expect(count.n).toBe(4);
    expect(cache.stats().entries).toBe(2);
  });

  it('keeps at most maxBytes, and never a value over maxEntryBytes', async () => {
    const cache = cacheOf({ maxBytes: 25, maxEntryBytes: 20 });
    const data = new Map([
      ['ten1', 'x'.repeat(10)],
      ['ten2', 'y'.repeat(10)],
      ['ten3', 'z'.repeat(10)],
      ['big', 'b'.repeat(21)],
    ]);
    const count = { n: 0 };
    for (const key of ['ten1', 'ten2', 'ten3']) await cache.read(key, instant(data, count, key));
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 20 });

    await cache.read('big', instant(data, count, 'big'));
    await cache.read('big', instant(data, count, 'big'));
    expect(count.n).toBe(5);
    expect(cache.stats()).toMatchObject({ entries: 2, bytes: 20 });
  });

  it('keeps nothing when the load fails, and stops tracking the key', async () => {
    const cache = cacheOf();
    await expect(cache.read('a', () => Promise.reject(new Error('engine down')))).rejects.toThrow('engine down');
    expect(cache.stats()).toMatchObject({ entries: 0, tracked: 0 });
  });
});
