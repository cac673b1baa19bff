// ssh2 is CommonJS: Node's ESM loader only sees its default export.
import ssh2, { type Client, type ConnectConfig, type PublicKeyAuthMethod } from 'ssh2';
import { HostKeyMismatchError, SshAuthError, SshUnreachableError, type SshTarget } from './errors';
import { createHostVerifier } from './hostKey';
import type { ValidPrivateKey } from './privateKey';

/** A logged-in connection and the host key fingerprint it was verified with. */
export interface OpenedConnection {
  client: Client;
  hostFingerprint: string;
}

/** Options of openConnection. */
export interface OpenConnectionOptions {
  target: SshTarget;
  key: ValidPrivateKey;
  /** Pinned `SHA256:…`; absent accepts any key (trust on first use). */
  hostKeyFingerprint?: string;
  /** TCP connect, handshake and login, in all. */
  timeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
}

type Ssh2Error = Error & { level?: string; code?: string };

/** Words for the socket errors users meet; the errno code otherwise. */
const socketReasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'connection closed',
  ENOTFOUND: 'host name not found (DNS)',
  EAI_AGAIN: 'host name lookup failed (DNS, temporary)',
};

/** What a failed attempt means: the server was not reached, refused the login, or showed another host key. */
export const translateConnectError = (
  err: Ssh2Error,
  o: Pick<OpenConnectionOptions, 'target' | 'timeoutMs'>,
  mismatch: { seen?: string; expected?: string; mismatch: boolean },
): Error => {
  const { target } = o;
  if (mismatch.mismatch) return new HostKeyMismatchError(target.id, target, mismatch.expected!, mismatch.seen!);
  if (err.level === 'client-authentication') return new SshAuthError(target.id, target, { cause: err });
  const reason =
    err.level === 'client-timeout'
      ? `no SSH login within ${o.timeoutMs} ms (timed out)`
      : err.level === 'client-dns'
        ? (socketReasons[err.code ?? ''] ?? `host name lookup failed (${err.code ?? 'DNS'})`)
        : (socketReasons[err.code ?? ''] ?? `connection failed (${err.code ?? err.message})`);
  return new SshUnreachableError(target.id, target.host, target.port, reason, { cause: err });
};

/**
 * Opens and logs in one SSH connection.
 * @throws SshUnreachableError (refused, timed out, DNS, closed before login),
 *   SshAuthError (the key was not accepted), HostKeyMismatchError (pinned key differs).
 */
export const openConnection = (o: OpenConnectionOptions): Promise<OpenedConnection> =>
  new Promise((resolve, reject) => {
    const client: Client = new ssh2.Client();
    const { verify, check } = createHostVerifier(o.hostKeyFingerprint);
    let settled = false;
    const fail = (err: Ssh2Error) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(translateConnectError(err, o, check));
    };
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      // `fail` stays on 'error': ignoring events once settled, it keeps a late error from crashing the process.
      resolve({ client, hostFingerprint: check.seen! });
    });
    client.on('error', fail);
    client.once('close', () => fail(Object.assign(new Error('connection closed before login'), { code: 'EPIPE' })));
    const auth: PublicKeyAuthMethod = { type: 'publickey', username: o.target.username, key: o.key.parsed };
    const config: ConnectConfig = {
      host: o.target.host,
      port: o.target.port,
      username: o.target.username,
      hostVerifier: verify,
      readyTimeout: o.timeoutMs,
      keepaliveInterval: o.keepaliveIntervalMs,
      keepaliveCountMax: o.keepaliveCountMax,
      // Only this key is tried (no agent, password or keyboard-interactive). Given as an
      // already parsed key, it skips a second (slow, bcrypt) decryption for each connection.
      authHandler: [auth],
    };
    try {
      client.connect(config);
      // Without it, Nagle's algorithm and delayed ACKs add ~40 ms to every small request.
      client.setNoDelay(true);
    } catch (err) {
      fail(err as Ssh2Error);
    }
  });
