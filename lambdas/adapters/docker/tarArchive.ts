/** One member of an in-memory tar archive. */
export interface TarEntry {
  /** Relative path; directories end with `/`. */
  name: string;
  /** File content; absent for directories. */
  content?: Buffer;
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
}

const Block = 512;

const octal = (value: number, width: number): string => value.toString(8).padStart(width - 1, '0') + '\0';

const header = (entry: TarEntry, size: number): Buffer => {
  const isDir = entry.name.endsWith('/');
  const name = Buffer.from(entry.name, 'utf8');
  // Workspace paths are short and fixed; ustar's prefix field is not worth its complexity here.
  if (name.length > 100) throw new RangeError(`tar entry name longer than 100 bytes: ${entry.name}`);
  const h = Buffer.alloc(Block);
  name.copy(h, 0);
  h.write(octal(entry.mode & 0o7777, 8), 100, 'ascii');
  h.write(octal(entry.uid, 8), 108, 'ascii');
  h.write(octal(entry.gid, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(entry.mtime), 12), 136, 'ascii');
  h.write(' '.repeat(8), 148, 'ascii');
  h.write(isDir ? '5' : '0', 156, 'ascii');
  h.write('ustar\0' + '00', 257, 'ascii');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
};

/**
 * Builds a POSIX ustar archive in memory (regular files and directories only).
 * Small enough to hand-roll, which keeps the adapter off a transitive dependency.
 * @throws RangeError when a name does not fit the 100-byte ustar name field.
 */
export const buildTarArchive = (entries: readonly TarEntry[]): Buffer => {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const content = entry.name.endsWith('/') ? Buffer.alloc(0) : (entry.content ?? Buffer.alloc(0));
    parts.push(header(entry, content.length), content);
    const padding = (Block - (content.length % Block)) % Block;
    if (padding > 0) parts.push(Buffer.alloc(padding));
  }
  parts.push(Buffer.alloc(Block * 2));
  return Buffer.concat(parts);
};
