import { chmod, mkdir, unlink } from 'node:fs/promises';
import type { RequestListener, Server } from 'node:http';
import { join } from 'node:path';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { createDocumentClient } from '../adapters/dynamodb';
import type { Logger } from '../core';
import { cacheItemReads, ITEM_CACHE_LIMITS, type ItemReadCache } from './cacheItemReads';
import { closeDynaliteIterators } from './dynaliteIterators';
import { cacheDynaliteTableDescriptions } from './dynaliteTableCache';
import { EmbeddedDynamoError } from './errors';
import { inProcessRequestHandler } from './inProcessRequestHandler';
import { placeSocket, removeStaleSocket } from './privateSocket';
import type { SingleWriterCacheLimits } from './singleWriterCache';

export interface EmbeddedDynamo {
  /**
   * The Unix domain socket the engine also listens on (mode 0600, in a 0700 directory), which marks
   * the data directory as in use; it opens no TCP port.
   */
  socketPath: string;
  /** The real DynamoDB client, whose requests reach the engine in this process (no socket). */
  client: DynamoDBDocumentClient;
  /** The client's cache of item reads (cacheItemReads); undefined when started with `readCache: false`. */
  readCache?: ItemReadCache;
  /** Stops the server, closes its LevelDB store and removes the socket, so the same dataDir can be opened again. */
  close(): Promise<void>;
}

/** Credentials the local engine accepts; it checks none. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The socket's name in the data directory. */
export const DYNAMO_SOCKET_NAME = 'dynamo.sock';

/** The URL the SDK builds requests for; the in-process handler ignores its host and port. */
const SIGNED_ENDPOINT = 'http://localhost';

type HttpAuthSchemes = NonNullable<DynamoDBClientConfig['httpAuthSchemes']>;

/** The local pair as the SDK's identity type sees it (an AWS identity may expire; this one does not). */
const LOCAL_IDENTITY: { accessKeyId: string; secretAccessKey: string; expiration?: Date } = LOCAL_CREDENTIALS;

/** What dynalite asks of a request's authorization: these headers, in this shape; it checks nothing in them. */
const UNSIGNED_HEADERS = {
  authorization: `AWS4-HMAC-SHA256 Credential=${LOCAL_CREDENTIALS.accessKeyId}/19700101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=unsigned`,
  'x-amz-date': '19700101T000000Z',
};

/**
 * The SDK's SigV4 auth scheme with a signer that sets fixed authorization headers instead of
 * signing: dynalite checks that the headers are there, never the signature, and SigV4 (a payload
 * hash, a derived key, an HMAC, per request) was 7-12% of a store request's CPU
 * (docs/benchmarks.md). `httpAuthSchemes` is the client's own setting for the identity and signer
 * of each auth scheme; the rest of the pipeline (serializing, retries, parsing) is unchanged. The
 * embedded engine is reachable only from this process, so a signature would protect nothing.
 */
export const UNSIGNED_LOCAL_AUTH: HttpAuthSchemes = [
  {
    schemeId: 'aws.auth#sigv4',
    identityProvider: () => () => Promise.resolve(LOCAL_IDENTITY),
    signer: {
      sign: (request) => {
        Object.assign(request.headers, UNSIGNED_HEADERS);
        return Promise.resolve(request);
      },
    },
  },
];

const listen = (server: Server, path: string): Promise<void> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });

const closeServer = (server: Server): Promise<void> => new Promise((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));

/**
 * Starts dynalite in this process, persisted under `<dataDir>/dynamo`, listening on the Unix socket
 * `<dataDir>/dynamo.sock` (see placeSocket for data directories too deep for a socket address), and
 * returns a DocumentClient (the real SDK client: serializing, retries, parsing; unsigned, see
 * UNSIGNED_LOCAL_AUTH) whose
 * requests go straight to dynalite's request listener in this process, with no socket and no HTTP
 * framing: a store read costs about a third less CPU than over the socket (docs/benchmarks.md).
 * The socket stays as the mark that a live process serves this dataDir (a second start finds it
 * answering and refuses). No TCP port is opened: dynalite checks no credentials, so a loopback port
 * would hand every tenant's data to any local user, while the socket is reachable only by this
 * user. Tables are ACTIVE as soon as they are created. A socket left by a killed process is removed
 * first. One process at a time may open a dataDir. Being the one writer, the client keeps the items
 * it read until a write touches them (cacheItemReads; `readCache: false` turns that off); requests
 * that arrive over the socket drop that cache.
 * @throws EmbeddedDynamoError when another process serves the dataDir, or the dataDir is open to group or others.
 * @example
 * const dynamo = await startEmbeddedDynamo({ dataDir: '.cronium' });
 * await ensureTable(dynamo.client, 'cronium');
 */
export async function startEmbeddedDynamo(o: {
  dataDir: string;
  logger?: Logger;
  /** Bounds of the item cache, or false for none. @default ITEM_CACHE_LIMITS */
  readCache?: SingleWriterCacheLimits | false;
}): Promise<EmbeddedDynamo> {
  await mkdir(o.dataDir, { recursive: true, mode: 0o700 });
  const place = await placeSocket(o.dataDir, DYNAMO_SOCKET_NAME, { logger: o.logger });
  const socketPath = place.path;
  if (await removeStaleSocket(socketPath)) {
    o.logger?.info({ socketPath }, 'removed the embedded DynamoDB socket a stopped process left behind');
  }

  const path = join(o.dataDir, 'dynamo');
  await mkdir(path, { recursive: true, mode: 0o700 });
  closeDynaliteIterators();
  cacheDynaliteTableDescriptions();
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // The client's requests reach the listener itself; the socket's, through the cache's guard.
  const listener = server.listeners('request')[0] as RequestListener;
  const requestHandler = inProcessRequestHandler(listener);
  const client = createDocumentClient({
    endpoint: SIGNED_ENDPOINT,
    region: 'local',
    credentials: LOCAL_CREDENTIALS,
    httpAuthSchemes: UNSIGNED_LOCAL_AUTH,
    requestHandler,
  });
  const readCache = o.readCache === false ? undefined : cacheItemReads(client, o.readCache ?? ITEM_CACHE_LIMITS);
  if (readCache) {
    server.removeListener('request', listener);
    server.on('request', readCache.guard(listener));
  }
  try {
    await listen(server, socketPath);
  } catch (e) {
    await closeServer(server).catch(() => undefined);
    await place.release();
    throw new EmbeddedDynamoError(socketPath, 'cannot listen', { cause: e });
  }
  try {
    // The directory already keeps others out; the socket's own mode is the second lock.
    await chmod(socketPath, 0o600);
  } catch (e) {
    await closeServer(server).catch(() => undefined);
    await place.release();
    throw new EmbeddedDynamoError(socketPath, 'cannot restrict its mode', { cause: e });
  }

  return {
    socketPath,
    client,
    readCache,
    async close() {
      requestHandler.destroy();
      await closeServer(server);
      // Node removes a socket file when its server closes; this covers a platform that does not.
      await unlink(socketPath).catch(() => undefined);
      await place.release();
    },
  };
}
