import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { createDocumentClient } from '../adapters/dynamodb';

export interface EmbeddedDynamo {
  /** `http://<host>:<port>` of the running engine. */
  endpoint: string;
  client: DynamoDBDocumentClient;
  /** Stops the server and closes its LevelDB store, so the same dataDir can be opened again. */
  close(): Promise<void>;
}

/** Credentials the local engine accepts; it checks none. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/**
 * Starts dynalite in this process, persisted under `<dataDir>/dynamo`, on an ephemeral port of
 * `host`, and returns a DocumentClient for it. Tables are ACTIVE as soon as they are created.
 * One process at a time may open a dataDir (LevelDB holds a lock on it).
 * @example
 * const dynamo = await startEmbeddedDynamo({ dataDir: '.cronium' });
 * await ensureTable(dynamo.client, 'cronium');
 */
export async function startEmbeddedDynamo(o: { dataDir: string; host?: string }): Promise<EmbeddedDynamo> {
  const host = o.host ?? '127.0.0.1';
  const path = join(o.dataDir, 'dynamo');
  await mkdir(path, { recursive: true });
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const client = createDocumentClient({ endpoint, region: 'local', credentials: LOCAL_CREDENTIALS });
  return {
    endpoint,
    client,
    async close() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
}
