import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TarFormatError } from '../../../lambdas/adapters/docker/errors';
import { buildTarArchive } from '../../../lambdas/adapters/docker/tarArchive';
import { readTar, type TarReadLimits } from '../../../lambdas/adapters/docker/tarReader';

const roomy: TarReadLimits = { maxContentBytes: 1024 * 1024, maxEntries: 100 };
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Builds a directory, then archives its contents (`./…`) with GNU tar in the given format. */
const tarOf = (format: 'gnu' | 'pax' | 'ustar', build: (dir: string) => void): Buffer => {
  const dir = mkdtempSync(join(tmpdir(), 'tar-reader-'));
  dirs.push(dir);
  build(dir);
  return execFileSync('tar', [`--format=${format}`, '--sort=name', '-C', dir, '-cf', '-', '.']);
};

/** Feeds a buffer in chunks of `size` bytes, counting how many were pulled. */
const chunked = (data: Buffer, size: number) => {
  const pulls = { count: 0 };
  async function* source() {
    for (let at = 0; at < data.length; at += size) {
      pulls.count++;
      yield data.subarray(at, at + size);
    }
  }
  return { source: source(), pulls };
};

/** One raw tar header block (GNU magic) with a correct checksum; `fields` overwrite text fields at their offsets. */
const rawHeader = (name: string, typeflag: string, size: number, fields: Record<number, string> = {}): Buffer => {
  const block = Buffer.alloc(512);
  block.write(name, 0, 'utf8');
  block.write('0000644\0', 100, 'ascii');
  block.write('0000000\0', 108, 'ascii');
  block.write('0000000\0', 116, 'ascii');
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  block.write('00000000000\0', 136, 'ascii');
  block.write(typeflag, 156, 'ascii');
  block.write('ustar  \0', 257, 'ascii');
  for (const [offset, value] of Object.entries(fields)) block.write(value, Number(offset), 'ascii');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return block;
};

const summary = (members: Awaited<ReturnType<typeof readTar>>['members']) =>
  members.map((m) => [m.name, m.type, m.content?.toString('utf8')]);

describe('tar reader', () => {
  it('reads files and directories with the ./ prefix removed, whatever the chunk boundaries', async () => {
    // Arrange
    const archive = tarOf('gnu', (d) => {
      writeFileSync(join(d, 'output.json'), '{"ok":true}');
      mkdirSync(join(d, 'sub'));
      writeFileSync(join(d, 'sub', 'deep.txt'), 'deep');
      writeFileSync(join(d, 'empty'), '');
    });

    // Act
    const results = await Promise.all([1, 7, 512, 100_000].map((n) => readTar(chunked(archive, n).source, roomy)));

    // Assert
    for (const result of results) {
      expect(result.overLimit).toBe(false);
      expect(summary(result.members)).toEqual([
        ['', 'directory', undefined],
        ['empty', 'file', ''],
        ['output.json', 'file', '{"ok":true}'],
        ['sub', 'directory', undefined],
        ['sub/deep.txt', 'file', 'deep'],
      ]);
    }
  });

  it.each(['gnu', 'pax', 'ustar'] as const)('reads a name longer than 100 bytes written in %s format', async (format) => {
    // Arrange
    const longDir = 'd'.repeat(90);
    const longName = `${longDir}/${'n'.repeat(60)}.json`;
    const archive = tarOf(format, (d) => {
      mkdirSync(join(d, longDir));
      writeFileSync(join(d, longName), 'long');
    });

    // Act
    const result = await readTar(chunked(archive, 300).source, roomy);

    // Assert
    expect(summary(result.members)).toContainEqual([longName, 'file', 'long']);
  });

  it('reads a pax name with characters beyond ASCII', async () => {
    // Arrange
    const archive = tarOf('pax', (d) => writeFileSync(join(d, 'ünïcödé.json'), 'ü'));

    // Act
    const result = await readTar(chunked(archive, 512).source, roomy);

    // Assert
    expect(summary(result.members)).toContainEqual(['ünïcödé.json', 'file', 'ü']);
  });

  it('lists a symbolic link as other and never follows it', async () => {
    // Arrange
    const archive = tarOf('gnu', (d) => symlinkSync('/etc/passwd', join(d, 'output.json')));

    // Act
    const result = await readTar(chunked(archive, 512).source, roomy);

    // Assert
    expect(summary(result.members)).toEqual([
      ['', 'directory', undefined],
      ['output.json', 'other', undefined],
    ]);
  });

  it('keeps only the content the keep predicate asks for', async () => {
    // Arrange
    const archive = tarOf('gnu', (d) => {
      writeFileSync(join(d, 'a'), 'A');
      writeFileSync(join(d, 'b'), 'B');
    });

    // Act
    const result = await readTar(chunked(archive, 512).source, roomy, (name) => name === 'b');

    // Assert
    expect(summary(result.members)).toEqual([
      ['', 'directory', undefined],
      ['a', 'file', undefined],
      ['b', 'file', 'B'],
    ]);
  });

  it('reads the owners and modes written by the launcher’s own tar writer', async () => {
    // Arrange
    const archive = buildTarArchive([
      { name: 'in/', mode: 0o755, uid: 0, gid: 0, mtime: 0 },
      { name: 'in/x', mode: 0o644, uid: 0, gid: 0, mtime: 0, content: Buffer.from('x') },
      { name: 'out/', mode: 0o700, uid: 1000, gid: 1000, mtime: 0 },
    ]);

    // Act
    const result = await readTar(chunked(archive, 1024).source, roomy);

    // Assert
    expect(result.members.map((m) => [m.name, m.type, m.mode, m.uid, m.gid])).toEqual([
      ['in', 'directory', 0o755, 0, 0],
      ['in/x', 'file', 0o644, 0, 0],
      ['out', 'directory', 0o700, 1000, 1000],
    ]);
  });

  it('stops reading once the content passes the byte limit and reports overLimit with no members', async () => {
    // Arrange: 3 files of 600 bytes, a limit of 1000 bytes, the stream in 512-byte chunks
    const archive = tarOf('gnu', (d) => {
      for (const name of ['a', 'b', 'c']) writeFileSync(join(d, name), 'x'.repeat(600));
    });
    const { source, pulls } = chunked(archive, 512);

    // Act
    const result = await readTar(source, { maxContentBytes: 1000, maxEntries: 100 });

    // Assert: the second file's header is the last block read
    expect(result).toEqual({ members: [], overLimit: true });
    expect(pulls.count).toBeLessThan(archive.length / 512);
  });

  it('accepts content of exactly the byte limit', async () => {
    // Arrange
    const archive = tarOf('gnu', (d) => writeFileSync(join(d, 'a'), 'x'.repeat(1000)));

    // Act
    const result = await readTar(chunked(archive, 512).source, { maxContentBytes: 1000, maxEntries: 100 });

    // Assert
    expect(result.overLimit).toBe(false);
    expect(result.members.at(-1)?.content?.length).toBe(1000);
  });

  it('reports overLimit for more entries than allowed, however small', async () => {
    // Arrange
    const archive = tarOf('gnu', (d) => {
      for (let i = 0; i < 20; i++) writeFileSync(join(d, `f${i}`), '');
    });

    // Act
    const result = await readTar(chunked(archive, 512).source, { maxContentBytes: 1000, maxEntries: 10 });

    // Assert
    expect(result).toEqual({ members: [], overLimit: true });
  });

  it('rejects a stream cut inside an entry', async () => {
    // Arrange
    const archive = tarOf('gnu', (d) => writeFileSync(join(d, 'a'), 'x'.repeat(2000)));

    // Act
    const error = await readTar(chunked(archive.subarray(0, 1024 + 700), 512).source, roomy).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(TarFormatError);
  });

  it('rejects a header whose checksum does not match', async () => {
    // Arrange
    const archive = Buffer.from(tarOf('gnu', (d) => writeFileSync(join(d, 'a'), 'a')));
    archive[0] = archive[0]! ^ 0x01;

    // Act
    const error = await readTar(chunked(archive, 512).source, roomy).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(TarFormatError);
  });
  it('reports overLimit for a flood of long-name records that never name an entry, and stops reading', async () => {
    // Arrange: 4000 GNU long-name records (2 MiB of stream), none followed by the entry it names
    const record = Buffer.concat([rawHeader('././@LongLink', 'L', 100), Buffer.alloc(512, 0x61)]);
    const archive = Buffer.concat(Array.from({ length: 2048 }, () => record));
    const { source, pulls } = chunked(archive, 64 * 1024);

    // Act
    const result = await readTar(source, roomy);

    // Assert
    expect(result).toEqual({ members: [], overLimit: true });
    expect(pulls.count).toBeLessThan(archive.length / (64 * 1024));
  });

  it('rejects a header whose mode is not a number', async () => {
    // Arrange
    const archive = Buffer.concat([rawHeader('a', '0', 0, { 100: '9999999\0' }), Buffer.alloc(1024)]);

    // Act
    const error = await readTar(chunked(archive, 512).source, roomy).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(TarFormatError);
  });
});
