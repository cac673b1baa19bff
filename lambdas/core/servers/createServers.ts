import type { CoreDeps } from '../deps';
import { ControlPlaneError, NotFoundError, ValidationError } from '../errors';
import type { Caller, Server, ServerCredentials } from '../model';
import type { ServerTestResult } from '../ports';

export interface ServerRequest {
  name: string;
  host: string;
  port?: number;
  username: string;
  /** PEM, or base64 of PEM. */
  privateKey: string;
  passphrase?: string;
  hostKeyFingerprint?: string;
}

/** A server as the API shows it: never its key or passphrase. */
export interface ServerView {
  id: string;
  name: string;
  host: string;
  port: number;
  username: string;
  hostKeyFingerprint?: string;
  hostKeyTrustedAt?: string;
  createdAt: string;
  updatedAt: string;
}

export type { ServerTestResult };

const view = ({ tenant: _t, privateKeyCiphertext: _k, passphraseCiphertext: _p, ...rest }: Server): ServerView => rest;

/** A PEM key may arrive as base64 of PEM (easier to put in JSON by hand). */
const asPem = (key: string): string => {
  if (key.includes('-----BEGIN')) return key;
  const decoded = Buffer.from(key.trim(), 'base64').toString('utf8');
  return decoded.includes('-----BEGIN') ? decoded : key;
};

/** Users' servers, their keys encrypted at rest and never shown. */
export const createServers = ({
  store,
  cipher,
  clock,
  ids,
  serverAccess,
  config,
}: Pick<CoreDeps, 'store' | 'cipher' | 'clock' | 'ids' | 'serverAccess' | 'config'>) => {
  const get = async (tenant: string, id: string): Promise<Server> => {
    const server = await store.servers.get(tenant, id);
    if (!server) throw new NotFoundError('server', id);
    return server;
  };

  const credentials = async (server: Server): Promise<ServerCredentials> => ({
    id: server.id,
    name: server.name,
    host: server.host,
    port: server.port,
    username: server.username,
    privateKey: await cipher.decrypt(server.tenant, server.privateKeyCiphertext),
    ...(server.passphraseCiphertext ? { passphrase: await cipher.decrypt(server.tenant, server.passphraseCiphertext) } : {}),
    ...(server.hostKeyFingerprint ? { hostKeyFingerprint: server.hostKeyFingerprint } : {}),
  });

  /** Validates and encrypts the secret parts. @throws ValidationError naming privateKey or passphrase */
  const sealKey = async (tenant: string, privateKey: string, passphrase?: string) => {
    const pem = serverAccess.validateKey(asPem(privateKey), passphrase);
    return {
      privateKeyCiphertext: await cipher.encrypt(tenant, pem),
      ...(passphrase ? { passphraseCiphertext: await cipher.encrypt(tenant, passphrase) } : {}),
    };
  };

  /** Trust on first use: one conditional write, so racing runners cannot pin two different keys. */
  const recordHostKey = async (tenant: string, id: string, fingerprint: string) => {
    await store.servers.pinHostKey(tenant, id, fingerprint, new Date(clock.now()).toISOString());
  };

  /** Connects from this process with the stored key; pins the host key on first use. */
  const testFromHere = async (server: Server): Promise<ServerTestResult> => {
    try {
      const result = await serverAccess.test(await credentials(server));
      await recordHostKey(server.tenant, server.id, result.fingerprint);
      return { ok: true, ...result };
    } catch (err) {
      if (!(err instanceof ControlPlaneError)) throw err;
      return { ok: false, error: { code: err.code, message: err.message } };
    }
  };

  return {
    get: async (caller: Caller, id: string) => view(await get(caller.tenant, id)),
    list: async (caller: Caller) => (await store.servers.list(caller.tenant)).sort((a, b) => a.name.localeCompare(b.name)).map(view),

    /** @throws ValidationError for a bad key or passphrase */
    async create(caller: Caller, r: ServerRequest): Promise<ServerView> {
      const now = new Date(clock.now()).toISOString();
      const server: Server = {
        tenant: caller.tenant,
        id: ids.next(),
        name: r.name,
        host: r.host,
        port: r.port ?? 22,
        username: r.username,
        ...(await sealKey(caller.tenant, r.privateKey, r.passphrase)),
        ...(r.hostKeyFingerprint ? { hostKeyFingerprint: r.hostKeyFingerprint } : {}),
        createdAt: now,
        updatedAt: now,
      };
      await store.servers.put(server);
      return view(server);
    },

    /** Changes some fields; a new host or port forgets a host key learned on first use. @throws NotFoundError, ValidationError */
    async update(caller: Caller, id: string, r: Partial<ServerRequest>): Promise<ServerView> {
      const existing = await get(caller.tenant, id);
      if (r.passphrase !== undefined && r.privateKey === undefined) {
        throw new ValidationError('privateKey', 'is required when the passphrase changes');
      }
      const moved = (r.host !== undefined && r.host !== existing.host) || (r.port !== undefined && r.port !== existing.port);
      const { hostKeyFingerprint: _f, hostKeyTrustedAt: _t, passphraseCiphertext: _p, ...kept } = existing;
      const keepHostKey = r.hostKeyFingerprint === undefined && !(moved && existing.hostKeyTrustedAt);
      const server: Server = {
        ...kept,
        ...(existing.passphraseCiphertext && r.privateKey === undefined ? { passphraseCiphertext: existing.passphraseCiphertext } : {}),
        ...(keepHostKey && existing.hostKeyFingerprint
          ? {
              hostKeyFingerprint: existing.hostKeyFingerprint,
              ...(existing.hostKeyTrustedAt ? { hostKeyTrustedAt: existing.hostKeyTrustedAt } : {}),
            }
          : {}),
        ...(r.hostKeyFingerprint ? { hostKeyFingerprint: r.hostKeyFingerprint } : {}),
        ...(r.name !== undefined ? { name: r.name } : {}),
        ...(r.host !== undefined ? { host: r.host } : {}),
        ...(r.port !== undefined ? { port: r.port } : {}),
        ...(r.username !== undefined ? { username: r.username } : {}),
        ...(r.privateKey !== undefined ? await sealKey(caller.tenant, r.privateKey, r.passphrase) : {}),
        updatedAt: new Date(clock.now()).toISOString(),
      };
      await store.servers.put(server);
      return view(server);
    },

    /** @throws NotFoundError */
    async remove(caller: Caller, id: string): Promise<void> {
      if (!(await store.servers.delete(caller.tenant, id))) throw new NotFoundError('server', id);
    },

    /**
     * Connects once, where jobs connect from (serverAccess.testRemotely, when the home has one); a
     * failure is an answer, not an error.
     * @throws NotFoundError; ValidationError when this deployment runs no ssh jobs
     */
    async test(caller: Caller, id: string): Promise<ServerTestResult> {
      if (config.sshTargets === false) {
        throw new ValidationError('', 'server tests are not available on this deployment (it was deployed without the SSH runner)');
      }
      const server = await get(caller.tenant, id);
      return serverAccess.testRemotely ? serverAccess.testRemotely(caller.tenant, id) : testFromHere(server);
    },

    /** The test in this process, never handed off (the AWS runner's side of testRemotely). @throws NotFoundError */
    testHere: async (tenant: string, id: string): Promise<ServerTestResult> => testFromHere(await get(tenant, id)),

    /** Decrypted credentials of a job's servers. @throws ValidationError naming target.serverIds */
    async credentialsFor(tenant: string, serverIds: string[]): Promise<ServerCredentials[]> {
      return Promise.all(
        serverIds.map(async (id) => {
          const server = await store.servers.get(tenant, id);
          if (!server) throw new ValidationError('target.serverIds', `server ${id} does not exist`);
          return credentials(server);
        }),
      );
    },

    recordHostKey,
  };
};

export type Servers = ReturnType<typeof createServers>;
