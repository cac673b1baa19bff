import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { AddressPolicy } from './addressPolicy';
import { BlockedAddressError, HttpFailureReasons, HttpRequestError } from './errors';

/** One address a host name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has (tests inject one, so no real DNS query leaves). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system resolver (getaddrinfo, as Node itself would connect), every address, in its order. */
export const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/** Where one request hop will connect: an address the guard checked, pinned for the connection. */
export interface PinnedTarget {
  url: URL;
  /** The URL's host without IPv6 brackets: the `Host` header and TLS server name. */
  hostname: string;
  address: string;
  family: 4 | 6;
}

const DNS_MESSAGES: Record<string, string> = {
  ENOTFOUND: 'no such host',
  ENODATA: 'the host has no addresses',
  EAI_AGAIN: 'temporary DNS failure',
  ESERVFAIL: 'DNS server failure',
  ETIMEOUT: 'DNS timed out',
  ECONNREFUSED: 'DNS server refused the query',
};

const errorCode = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : undefined;

/** Rejects with the signal's reason as soon as it aborts, whatever `work` is doing. */
const untilAborted = <T>(work: Promise<T>, signal: AbortSignal): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });

/**
 * The SSRF guard for one URL: only http and https; the host is resolved (IP literals are taken as
 * they are) and EVERY address is checked, so a name with one public and one internal address is
 * refused. The first address is returned to connect to, so the connection goes exactly where the
 * check looked (no second lookup a rebinding DNS server could answer differently).
 * @throws BlockedAddressError when any address is in a blocked range and not allowed.
 * @throws HttpRequestError (`refused`) for other schemes; (`dns`) when the name does not resolve.
 * @throws the signal's reason when aborted while resolving.
 */
export const createTargetGuard =
  (o: { policy: AddressPolicy; resolve: Resolver }) =>
  async (url: URL, request: string, signal: AbortSignal): Promise<PinnedTarget> => {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new HttpRequestError(HttpFailureReasons.refused, `${request} refused: only http and https URLs are allowed`);
    }
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const literal = isIP(hostname);
    let addresses: ResolvedAddress[];
    if (literal !== 0) {
      addresses = [{ address: hostname, family: literal }];
    } else {
      try {
        addresses = await untilAborted(o.resolve(hostname), signal);
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        const code = errorCode(err);
        const why = (code && DNS_MESSAGES[code]) ?? (code ? `DNS error ${code}` : 'DNS lookup failed');
        throw new HttpRequestError(HttpFailureReasons.dns, `${request} failed: could not resolve ${hostname} (${why})`, {
          cause: err,
        });
      }
      if (addresses.length === 0) {
        throw new HttpRequestError(HttpFailureReasons.dns, `${request} failed: could not resolve ${hostname} (no addresses)`);
      }
    }
    for (const { address } of addresses) {
      const verdict = o.policy.check(address);
      if (!verdict.allowed) throw new BlockedAddressError(request, verdict.address, verdict.range);
    }
    const first = addresses[0]!;
    const family = isIP(first.address) === 6 ? 6 : 4;
    return { url, hostname, address: first.address, family };
  };
