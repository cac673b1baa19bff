import { randomBytes } from 'node:crypto';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LocalKeyError } from './errors';

/** AES-256 takes a 32-byte key. */
export const LOCAL_KEY_BYTES = 32;

/** Where the local runtime keeps its secret key: `<dataDir>/secret.key`. */
export const localKeyPath = (dataDir: string): string => join(dataDir, 'secret.key');

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;

/** Group and other permission bits: any of them lets another account read or replace the key. */
const GROUP_OTHER_BITS = 0o077;

/** The key in `path`, or undefined when there is no such file. */
async function readKey(path: string): Promise<Buffer | undefined> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined;
    throw new LocalKeyError('cannot be opened', path, { cause: e });
  }
  try {
    // fstat on the open handle: the file checked is the file read, even if the path is swapped meanwhile.
    const st = await file.stat();
    if (!st.isFile()) throw new LocalKeyError('is not a regular file', path);
    // Windows has no POSIX mode bits to check; there the data directory's ACL protects the key.
    if (process.platform !== 'win32' && (st.mode & GROUP_OTHER_BITS) !== 0) {
      const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
      throw new LocalKeyError(`is open to group or others (mode ${mode}); refusing to use it. Restrict it with: chmod 600 ${path}`, path);
    }
    const key = await file.readFile();
    if (key.length !== LOCAL_KEY_BYTES) {
      key.fill(0);
      throw new LocalKeyError(`holds ${key.length} bytes, not the ${LOCAL_KEY_BYTES} of an AES-256 key`, path);
    }
    return key;
  } finally {
    await file.close();
  }
}

/**
 * Writes a fresh random key to `path` unless a key file is already there. The key is written and
 * synced under a temporary name, then hard-linked into place: link() fails when the target exists,
 * so two processes starting at once never overwrite each other's key, and no reader ever sees a
 * half-written file.
 */
async function createKey(path: string): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const key = randomBytes(LOCAL_KEY_BYTES);
  try {
    const file = await open(temp, 'wx', 0o600);
    try {
      await file.writeFile(key);
      await file.sync();
    } finally {
      await file.close();
    }
    await link(temp, path).catch((e: unknown) => {
      if (errno(e) !== 'EEXIST') throw e;
    });
  } catch (e) {
    throw new LocalKeyError('cannot be created', path, { cause: e });
  } finally {
    key.fill(0);
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * The 32-byte key in `path`, created (random, mode 0600) on first use and reused after.
 * The caller should zero the returned buffer once it has made a KeyObject of it.
 * @throws LocalKeyError when the file is open to group or others, is not 32 bytes, or cannot be read or created.
 * @example const key = await loadOrCreateLocalKey(localKeyPath('.cronium'));
 */
export async function loadOrCreateLocalKey(path: string): Promise<Buffer> {
  const existing = await readKey(path);
  if (existing) return existing;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await createKey(path);
  const created = await readKey(path);
  if (!created) throw new LocalKeyError('vanished right after it was created', path);
  return created;
}
