import { chmod, lstat, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../lambdas/core';
import { DataDirError } from '../../lambdas/local/errors';
import { holdPrivateUmask, prepareDataDir } from '../../lambdas/local/dataDir';

const modeOf = async (path: string) => (await lstat(path)).mode & 0o777;

const recordingLogger = () => {
  const warnings: { obj: any; msg?: string }[] = [];
  const logger: Logger = { info() {}, error() {}, warn: (obj, msg) => void warnings.push({ obj, msg }) };
  return { logger, warnings };
};

describe('prepareDataDir', () => {
  let root: string;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });
  const makeRoot = async () => (root = await mkdtemp(join(tmpdir(), 'cronium-datadir-')));

  /** A data directory as an older runtime left it: files and LevelDB readable by all. */
  const olderDataDir = async () => {
    const dir = join(await makeRoot(), 'data');
    await mkdir(join(dir, 'dynamo'), { recursive: true });
    await writeFile(join(dir, 'endpoint'), 'http://127.0.0.1:8080\n');
    await writeFile(join(dir, 'admin-key'), 'key\n');
    await writeFile(join(dir, 'dynamo', '000005.ldb'), 'x');
    await writeFile(join(dir, 'dynamo', 'LOCK'), '');
    await chmod(dir, 0o755);
    await chmod(join(dir, 'dynamo'), 0o775);
    await chmod(join(dir, 'endpoint'), 0o644);
    await chmod(join(dir, 'admin-key'), 0o640);
    await chmod(join(dir, 'dynamo', '000005.ldb'), 0o444);
    await chmod(join(dir, 'dynamo', 'LOCK'), 0o666);
    return dir;
  };

  it('creates a missing data directory, parents included, with mode 0700', async () => {
    const dir = join(await makeRoot(), 'a', 'b', '.cronium');

    const tightened = await prepareDataDir(dir);

    expect(await modeOf(dir)).toBe(0o700);
    expect(tightened).toStrictEqual([]);
  });

  it('removes group and other access from an older data directory and all it holds, keeps the owner bits, and says what it changed', async () => {
    const dir = await olderDataDir();
    const { logger, warnings } = recordingLogger();

    const tightened = await prepareDataDir(dir, { logger });

    expect({
      dir: await modeOf(dir),
      dynamo: await modeOf(join(dir, 'dynamo')),
      endpoint: await modeOf(join(dir, 'endpoint')),
      adminKey: await modeOf(join(dir, 'admin-key')),
      table: await modeOf(join(dir, 'dynamo', '000005.ldb')),
      lock: await modeOf(join(dir, 'dynamo', 'LOCK')),
    }).toStrictEqual({ dir: 0o700, dynamo: 0o700, endpoint: 0o600, adminKey: 0o600, table: 0o400, lock: 0o600 });
    expect([...tightened].sort()).toStrictEqual(['.', 'admin-key', 'dynamo', 'dynamo/000005.ldb', 'dynamo/LOCK', 'endpoint']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/open to group or others; removed their access/);
    expect(warnings[0]!.obj).toMatchObject({ dataDir: dir, count: 6 });
  });

  it('changes nothing and says nothing when the data directory is already private', async () => {
    const dir = await olderDataDir();
    await prepareDataDir(dir);
    const { logger, warnings } = recordingLogger();

    const tightened = await prepareDataDir(dir, { logger });

    expect(tightened).toStrictEqual([]);
    expect(warnings).toStrictEqual([]);
  });

  it('does not follow a symlink out of the data directory', async () => {
    const dir = await olderDataDir();
    const outside = join(root, 'outside.txt');
    await writeFile(outside, 'not ours to change');
    await chmod(outside, 0o644);
    await symlink(outside, join(dir, 'link'));

    await prepareDataDir(dir);

    expect(await modeOf(outside)).toBe(0o644);
  });

  it('leaves a secret key open to others for the key loader to refuse, rather than quietly trusting it', async () => {
    const dir = await olderDataDir();
    await writeFile(join(dir, 'secret.key'), Buffer.alloc(32));
    await chmod(join(dir, 'secret.key'), 0o644);

    const tightened = await prepareDataDir(dir);

    expect(await modeOf(join(dir, 'secret.key'))).toBe(0o644);
    expect(tightened).not.toContain('secret.key');
  });

  it('refuses a data directory path that is a file', async () => {
    const file = join(await makeRoot(), 'file');
    await writeFile(file, '');

    const attempt = prepareDataDir(file);

    await expect(attempt).rejects.toBeInstanceOf(DataDirError);
  });
});

describe('holdPrivateUmask', () => {
  let root: string;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('makes the files the process creates private while held, and gives the umask back after the last release', async () => {
    root = await mkdtemp(join(tmpdir(), 'cronium-umask-'));
    const before = process.umask();
    const releaseFirst = holdPrivateUmask();
    const releaseSecond = holdPrivateUmask();

    await writeFile(join(root, 'held'), '');
    await mkdir(join(root, 'dir-held'));
    releaseFirst();
    releaseFirst();
    await writeFile(join(root, 'still-held'), '');
    releaseSecond();

    expect((await stat(join(root, 'held'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(root, 'dir-held'))).mode & 0o777).toBe(0o700);
    expect((await stat(join(root, 'still-held'))).mode & 0o777).toBe(0o600);
    expect(process.umask()).toBe(before);
  });
});
