import type { Dirent } from 'node:fs';
import { chmod, lstat, mkdir, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { localKeyPath } from '../adapters/crypto';
import type { Logger } from '../core';
import { DataDirError } from './errors';

/** Group and other permission bits: the data directory holds every tenant's data and keys. */
const GROUP_OTHER_BITS = 0o077;

/** Windows has no POSIX modes; there the directory's ACL is what protects it. */
const hasPosixModes = process.platform !== 'win32';

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;

/** Every entry under `dir` (depth first, symlinks listed but not followed). */
async function* walk(dir: string): AsyncGenerator<Dirent> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    if (errno(e) === 'ENOENT') return;
    throw e;
  }
  for (const entry of entries) {
    yield entry;
    if (entry.isDirectory()) yield* walk(join(dir, entry.name));
  }
}

/** Removes group and other bits from `path`; true when there were any. */
async function tighten(path: string): Promise<boolean> {
  const st = await lstat(path).catch((e: unknown) => {
    if (errno(e) === 'ENOENT') return undefined;
    throw e;
  });
  if (!st || st.isSymbolicLink() || (st.mode & GROUP_OTHER_BITS) === 0) return false;
  await chmod(path, st.mode & 0o7700);
  return true;
}

/**
 * Creates the data directory with mode 0700, or makes an existing one private: group and other bits
 * are removed from the directory and from everything in it (an older data directory may hold
 * LevelDB files and an `endpoint` file readable by all), and a warning lists what was changed.
 * Symlinks are not followed. The secret key file is left to its loader, which refuses a key that
 * others could read instead of trusting it (the runtime never wrote one that way).
 * @returns the paths it tightened, relative to `dataDir`.
 * @throws DataDirError when the path is not a directory or its modes cannot be changed.
 * @example await prepareDataDir(settings.dataDir, { logger });
 */
export async function prepareDataDir(dataDir: string, o: { logger?: Logger } = {}): Promise<string[]> {
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new DataDirError(dataDir, 'cannot be created', { cause: e });
  }
  const st = await stat(dataDir);
  if (!st.isDirectory()) throw new DataDirError(dataDir, 'is not a directory');
  if (!hasPosixModes) return [];

  const keyFile = localKeyPath(dataDir);
  const tightened: string[] = [];
  try {
    // The directory itself is followed if it is a symlink: CRONIUM_DATA_DIR may name one on purpose.
    if ((st.mode & GROUP_OTHER_BITS) !== 0) {
      await chmod(dataDir, st.mode & 0o7700);
      tightened.push('.');
    }
    for await (const entry of walk(dataDir)) {
      const path = join(entry.parentPath, entry.name);
      if (path === keyFile) continue;
      if (await tighten(path)) tightened.push(relative(dataDir, path));
    }
  } catch (e) {
    throw new DataDirError(dataDir, 'cannot make it private to its owner (chmod failed)', { cause: e });
  }
  if (tightened.length > 0) {
    o.logger?.warn(
      { dataDir, count: tightened.length, paths: tightened.slice(0, 20) },
      'the data directory was open to group or others; removed their access',
    );
  }
  return tightened;
}

/** Files and directories created while it is held get no group or other bits. */
const PRIVATE_UMASK = 0o077;
let umaskHolders = 0;
let umaskBefore = 0;

/**
 * Sets the process umask to 077 until every holder has released it, so files the runtime does not
 * create itself (dynalite's LevelDB files, written throughout the run) are private too. Returns the
 * release function (safe to call twice). Does nothing on Windows and in worker threads, where
 * `process.umask` cannot be set; there the 0700 data directory still keeps others out.
 * @example
 * const release = holdPrivateUmask();
 * try { await run(); } finally { release(); }
 */
export function holdPrivateUmask(): () => void {
  if (!hasPosixModes || !isMainThread) return () => undefined;
  if (umaskHolders++ === 0) umaskBefore = process.umask(PRIVATE_UMASK);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--umaskHolders === 0) process.umask(umaskBefore);
  };
}
