import { createHash } from 'node:crypto';
import { lstat, mkdir, rmdir, unlink } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from '../core';
import { EmbeddedDynamoError } from './errors';

/**
 * Longest Unix socket path bind() takes, in bytes: `sun_path` holds 108 bytes on Linux and 104 on
 * macOS and the BSDs, the terminating NUL included.
 */
export const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;
const uid = (): number | undefined => process.getuid?.();

/**
 * Throws unless `dir` is a real directory (not a symlink), owned by this user, with no group or
 * other bits: anyone who can reach a socket inside could read every tenant's data.
 */
async function assertPrivateDirectory(dir: string, socketPath: string): Promise<void> {
  const st = await lstat(dir);
  if (!st.isDirectory()) throw new EmbeddedDynamoError(socketPath, `${dir} is not a directory (or is a symlink)`);
  if (process.platform === 'win32') return;
  if (st.uid !== uid()) throw new EmbeddedDynamoError(socketPath, `${dir} belongs to another user (uid ${st.uid})`);
  if ((st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw new EmbeddedDynamoError(socketPath, `${dir} is open to group or others (mode ${mode}); restrict it with: chmod 700 ${dir}`);
  }
}

/** A socket path in `dir`, or where `dir` is too deep for one, and how to clean up after it. */
export interface SocketPlace {
  path: string;
  /** Removes the private directory made for a fallback path; nothing otherwise. */
  release(): Promise<void>;
}

/**
 * Where to bind a socket named `name` that only this user can reach: `<dir>/<name>` when that
 * fits in a socket address, else `<os tmpdir>/cronium-<uid>-<hash of dir>/<name>`, a 0700
 * directory of this user (checked, since another user could have made it first), with a warning
 * saying why. The fallback name is fixed per data directory, so a stale socket there is found and
 * removed on the next start like one in `dir`.
 * @throws EmbeddedDynamoError when `dir` (or the fallback directory) is not private to this user,
 *   or when even the fallback path is too long.
 */
export async function placeSocket(dir: string, name: string, o: { logger?: Logger } = {}): Promise<SocketPlace> {
  const preferred = join(resolve(dir), name);
  if (Buffer.byteLength(preferred) <= MAX_SOCKET_PATH_BYTES) {
    await assertPrivateDirectory(resolve(dir), preferred);
    return { path: preferred, release: () => Promise.resolve() };
  }
  const digest = createHash('sha256').update(resolve(dir)).digest('hex').slice(0, 16);
  const fallbackDir = join(tmpdir(), `cronium-${uid() ?? 'user'}-${digest}`);
  const path = join(fallbackDir, name);
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new EmbeddedDynamoError(
      preferred,
      `longer than the ${MAX_SOCKET_PATH_BYTES} bytes of a socket address, and so is the fallback ${path}; use a shorter CRONIUM_DATA_DIR or TMPDIR`,
    );
  }
  await mkdir(fallbackDir, { mode: 0o700 }).catch((e: unknown) => {
    if (errno(e) !== 'EEXIST') throw e;
  });
  await assertPrivateDirectory(fallbackDir, path);
  o.logger?.warn(
    { preferred, path, limitBytes: MAX_SOCKET_PATH_BYTES },
    'the data directory path is too long for a Unix socket address; the embedded DynamoDB socket is in a private 0700 directory under the OS temp dir instead',
  );
  return { path, release: () => rmdir(fallbackDir).catch(() => undefined) };
}

/** Whether something accepts connections on the socket at `path`. */
const answers = (path: string): Promise<boolean> =>
  new Promise((resolvePromise, reject) => {
    const probe = createConnection({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolvePromise(true);
    });
    probe.once('error', (e) => {
      if (errno(e) === 'ECONNREFUSED' || errno(e) === 'ENOENT') resolvePromise(false);
      else reject(e);
    });
  });

/**
 * Removes the socket file at `path` when a killed process left it behind (nothing accepts on it),
 * so bind() can take the path again.
 * @returns whether a stale socket was removed.
 * @throws EmbeddedDynamoError when a live process serves the socket (the data directory is in use)
 *   or the path is something other than a socket.
 */
export async function removeStaleSocket(path: string): Promise<boolean> {
  const st = await lstat(path).catch((e: unknown) => {
    if (errno(e) === 'ENOENT') return undefined;
    throw e;
  });
  if (!st) return false;
  if (!st.isSocket()) throw new EmbeddedDynamoError(path, 'exists and is not a socket; move it away');
  if (await answers(path)) {
    throw new EmbeddedDynamoError(path, 'another process is serving this data directory; stop it first or use another CRONIUM_DATA_DIR');
  }
  await unlink(path).catch((e: unknown) => {
    if (errno(e) !== 'ENOENT') throw e;
  });
  return true;
}
