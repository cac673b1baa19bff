import { execFile } from 'node:child_process';
import { chmod, lstat, mkdir, mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, describe, expect, it } from 'vitest';
import { createDynamoStore, ensureTable } from '../../../lambdas/adapters/dynamodb';
import type { Logger } from '../../../lambdas/core';
import { DYNAMO_SOCKET_NAME, startEmbeddedDynamo, type EmbeddedDynamo } from '../../../lambdas/local/embeddedDynamo';
import { EmbeddedDynamoError } from '../../../lambdas/local/errors';
import { MAX_SOCKET_PATH_BYTES } from '../../../lambdas/local/privateSocket';
import { ownTcpListenPorts, ownUnixListenPaths } from '../../helpers/listeningSockets';
import { jobFactory, lines } from './fixtures';

const run = promisify(execFile);

/** Runs `script` in a separate Node process (argv[1] = `arg`) and returns what it printed. */
const node = async (script: string, arg: string, o: { uid?: number; gid?: number } = {}) =>
  (await run(process.execPath, ['-e', script, arg], { ...o, cwd: '/' })).stdout.trim();

/** Tries to connect to the socket at argv[1]; prints "connected" or the error code. */
const CONNECT = `require('net').createConnection({ path: process.argv[1] })
  .on('connect', function () { console.log('connected'); this.destroy(); })
  .on('error', (e) => console.log(e.code));`;

/** Binds a socket at argv[1], then dies by SIGKILL, as a crashed runtime would: the file stays. */
const LISTEN_THEN_DIE = `require('net').createServer().listen(process.argv[1], () => process.kill(process.pid, 'SIGKILL'));`;

const recordingLogger = () => {
  const warnings: { obj: object; msg?: string }[] = [];
  const logger: Logger = { info() {}, error() {}, warn: (obj, msg) => void warnings.push({ obj, msg }) };
  return { logger, warnings };
};

// Lives beside the store tests because it is the store's local engine; it covers lambdas/local/embeddedDynamo.ts.
describe('startEmbeddedDynamo', () => {
  let dataDir: string | undefined;
  const running: EmbeddedDynamo[] = [];
  afterEach(async () => {
    for (const dynamo of running.splice(0)) await dynamo.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  const freshDataDir = async () => (dataDir ??= await mkdtemp(join(tmpdir(), 'cronium-dynamo-')));
  const start = async (o: { logger?: Logger; dir?: string } = {}) => {
    const dynamo = await startEmbeddedDynamo({ dataDir: o.dir ?? (await freshDataDir()), logger: o.logger });
    running.push(dynamo);
    return dynamo;
  };
  const stop = async (dynamo: EmbeddedDynamo) => {
    running.splice(running.indexOf(dynamo), 1);
    await dynamo.close();
  };

  /** Put, read, update, read, delete, read: every round trip through the real client. */
  const crud = async (dynamo: EmbeddedDynamo) => {
    await ensureTable(dynamo.client, 'cronium');
    const Key = { pk: 'T#acme', sk: 'ITEM#1' };
    await dynamo.client.send(new PutCommand({ TableName: 'cronium', Item: { ...Key, n: 1 } }));
    const created = (await dynamo.client.send(new GetCommand({ TableName: 'cronium', Key }))).Item;
    await dynamo.client.send(
      new UpdateCommand({ TableName: 'cronium', Key, UpdateExpression: 'SET n = n + :one', ExpressionAttributeValues: { ':one': 1 } }),
    );
    const updated = (await dynamo.client.send(new GetCommand({ TableName: 'cronium', Key }))).Item;
    await dynamo.client.send(new DeleteCommand({ TableName: 'cronium', Key }));
    const deleted = (await dynamo.client.send(new GetCommand({ TableName: 'cronium', Key }))).Item;
    return { created, updated, deleted };
  };

  it('serves the real client, listens on a Unix socket in the data directory and opens no TCP port', async () => {
    const before = await ownTcpListenPorts();

    const dynamo = await start();
    const result = await crud(dynamo);

    expect(result).toStrictEqual({
      created: { pk: 'T#acme', sk: 'ITEM#1', n: 1 },
      updated: { pk: 'T#acme', sk: 'ITEM#1', n: 2 },
      deleted: undefined,
    });
    expect(dynamo.socketPath).toBe(join(dataDir!, DYNAMO_SOCKET_NAME));
    expect(await ownUnixListenPaths()).toContain(dynamo.socketPath);
    expect(await ownTcpListenPorts()).toStrictEqual(before);
  });

  it("hands the client's requests to the engine in process, not through the socket", async () => {
    const dynamo = await start();
    const away = `${dynamo.socketPath}.away`;
    // With the socket's name gone, nothing could dial it; the client must not need to.
    await rename(dynamo.socketPath, away);
    try {
      expect((await crud(dynamo)).updated).toStrictEqual({ pk: 'T#acme', sk: 'ITEM#1', n: 2 });
    } finally {
      await rename(away, dynamo.socketPath);
    }
  });

  it('keeps the socket and the data directories private to their owner', async () => {
    const dynamo = await start();
    await ensureTable(dynamo.client, 'cronium');

    const socket = await lstat(dynamo.socketPath);
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
    expect((await stat(dataDir!)).mode & 0o077).toBe(0);
    expect((await stat(join(dataDir!, 'dynamo'))).mode & 0o077).toBe(0);
    // Root passes every permission check, so only another account can show the modes at work.
    if (process.getuid?.() === 0) {
      expect(await node(CONNECT, dynamo.socketPath, { uid: 65534, gid: 65534 })).toBe('EACCES');
    }
    expect(await node(CONNECT, dynamo.socketPath)).toBe('connected');
  });

  it('keeps tables and items across a restart on the same data directory', async () => {
    const first = await start();
    await ensureTable(first.client, 'cronium');
    const before = createDynamoStore({ tableName: 'cronium', client: first.client });
    await before.jobs.create(jobFactory());
    await before.logs.append({ tenant: 'acme', jobId: 'job1' }, { lines: lines(1, 2), totalBytes: 20 });
    await stop(first);

    const second = await start();
    await ensureTable(second.client, 'cronium');
    const after = createDynamoStore({ tableName: 'cronium', client: second.client });

    expect(await after.jobs.get({ tenant: 'acme', jobId: 'job1' })).toStrictEqual(jobFactory());
    expect(await after.logs.read({ tenant: 'acme', jobId: 'job1' }, 0, 10)).toStrictEqual(lines(1, 2));
    expect(await after.jobs.listActive()).toHaveLength(1);
    expect(second.socketPath).toBe(first.socketPath);
  });

  it('removes the socket when it closes', async () => {
    const dynamo = await start();

    await stop(dynamo);

    await expect(lstat(dynamo.socketPath)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('removes a stale socket a killed process left behind, then serves on it', async () => {
    const stale = join(await freshDataDir(), DYNAMO_SOCKET_NAME);
    await run(process.execPath, ['-e', LISTEN_THEN_DIE, stale]).catch(() => undefined);
    expect((await lstat(stale)).isSocket()).toBe(true);

    const dynamo = await start();

    expect((await crud(dynamo)).updated).toStrictEqual({ pk: 'T#acme', sk: 'ITEM#1', n: 2 });
    expect(await ownUnixListenPaths()).toContain(stale);
  });

  it('refuses to start while another process serves the same data directory, and leaves its socket alone', async () => {
    const first = await start();
    await ensureTable(first.client, 'cronium');

    const second = startEmbeddedDynamo({ dataDir: dataDir! });

    await expect(second).rejects.toBeInstanceOf(EmbeddedDynamoError);
    await expect(second).rejects.toThrow(/another process is serving this data directory/);
    expect((await crud(first)).updated).toStrictEqual({ pk: 'T#acme', sk: 'ITEM#1', n: 2 });
  });

  it('refuses a path in the socket place that is not a socket, rather than deleting it', async () => {
    const path = join(await freshDataDir(), DYNAMO_SOCKET_NAME);
    await writeFile(path, 'not a socket');

    await expect(start()).rejects.toThrow(/exists and is not a socket/);
    expect((await lstat(path)).isFile()).toBe(true);
  });

  it('refuses a data directory open to group or others', async () => {
    const dir = await freshDataDir();
    await chmod(dir, 0o755);

    await expect(start()).rejects.toThrow(/open to group or others \(mode 0755\).*chmod 700/);
  });

  it('binds in a private directory under the OS temp dir, and says why, when the data directory is too deep for a socket address', async () => {
    const root = await freshDataDir();
    const deep = join(root, 'd'.repeat(MAX_SOCKET_PATH_BYTES - root.length));
    await mkdir(deep, { mode: 0o700 });
    const { logger, warnings } = recordingLogger();

    const dynamo = await start({ dir: deep, logger });
    const result = await crud(dynamo);

    expect(Buffer.byteLength(join(deep, DYNAMO_SOCKET_NAME))).toBeGreaterThan(MAX_SOCKET_PATH_BYTES);
    expect(result.updated).toStrictEqual({ pk: 'T#acme', sk: 'ITEM#1', n: 2 });
    expect(dirname(dynamo.socketPath)).toMatch(new RegExp(`^${tmpdir()}/cronium-\\d+-[0-9a-f]{16}$`));
    expect((await stat(dirname(dynamo.socketPath))).mode & 0o777).toBe(0o700);
    expect(warnings.map((w) => w.msg)).toStrictEqual([expect.stringMatching(/too long for a Unix socket address/)]);

    await stop(dynamo);
    await expect(lstat(dirname(dynamo.socketPath))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a fallback directory that another account could reach', async () => {
    const root = await freshDataDir();
    const deep = join(root, 'd'.repeat(MAX_SOCKET_PATH_BYTES - root.length));
    await mkdir(deep, { mode: 0o700 });
    const first = await start({ dir: deep });
    const fallback = dirname(first.socketPath);
    await stop(first);
    // As if another account had made it first, open to all.
    await mkdir(fallback, { mode: 0o700 });
    await chmod(fallback, 0o777);

    try {
      await expect(start({ dir: deep })).rejects.toThrow(/open to group or others \(mode 0777\)/);
    } finally {
      await rm(fallback, { recursive: true, force: true });
    }
  });
});
