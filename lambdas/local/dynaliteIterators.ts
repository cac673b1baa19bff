import { createRequire } from 'node:module';

interface ClosableIterator {
  close(): Promise<void>;
  return?: () => Promise<{ done: true; value: undefined }>;
}

/**
 * dynalite 4 ends a Query or Scan that stops early (its Limit, or a 1 MB page) by calling `return()`
 * on the abstract-level iterator behind it, and abstract-level 3 iterators have `close()` instead:
 * the call is skipped, so the iterator stays open in the database's resource set for good, with
 * its read-ahead cache of items and a native LevelDB iterator holding on to what it read. A soak of
 * the live feed leaked about 140 of them a run (docs/benchmarks.md). This gives those iterators the
 * `return()` dynalite calls, closing them. `for await` is unaffected (it uses the iterator's own
 * async generator). Safe to call more than once.
 * @returns whether the iterators needed it (false once done, or when a later abstract-level has it).
 */
export function closeDynaliteIterators(): boolean {
  // abstract-level as dynalite's classic-level loads it, not a copy of our own.
  const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
  const fromClassicLevel = createRequire(fromDynalite.resolve('classic-level'));
  const { AbstractIterator } = fromClassicLevel('abstract-level') as { AbstractIterator: { prototype: object } };
  // The base class the key, value and entry iterators share.
  const common = Object.getPrototypeOf(AbstractIterator.prototype) as ClosableIterator;
  if (typeof common.return === 'function') return false;
  Object.defineProperty(common, 'return', {
    configurable: true,
    writable: true,
    value: async function (this: ClosableIterator) {
      await this.close();
      return { done: true, value: undefined };
    },
  });
  return true;
}
