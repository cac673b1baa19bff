import { createAddressPolicy } from './addressPolicy';
import { performRequest } from './performRequest';
import { sendHop } from './sendHop';
import { createTargetGuard, systemResolver, type Resolver } from './targetGuard';

/** One request made on behalf of a tenant (a tool action), under the SSRF guard of http jobs. */
export interface GuardedRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: Buffer;
  signal: AbortSignal;
}

/** The answer, redirects followed, body kept up to `maxBodyBytes`. */
export interface GuardedResponse {
  status: number;
  statusText: string;
  body: Buffer;
}

/** What else needs the guard: a host checked and pinned (an SMTP server), `request` for HTTP. */
export interface GuardedNetwork {
  request(req: GuardedRequest): Promise<GuardedResponse>;
  /**
   * Resolves `hostname` and checks every address as http jobs do.
   * @returns the address to connect to (pinned: connect there, not to the name).
   * @throws BlockedAddressError, HttpRequestError (`dns`).
   */
  checkHost(hostname: string, signal: AbortSignal): Promise<string>;
}

/**
 * The http adapter's SSRF guard and pinned connection for requests that are not http jobs (tool
 * actions and notifications): only http(s), every resolved address checked against the same policy
 * (`CRONIUM_HTTP_ALLOW` opens ranges), the connection pinned to the checked address, redirects
 * checked again.
 * @throws InvalidAllowListError from the factory for a bad allow entry.
 * @example
 * const net = createGuardedNetwork({ allow: parseHttpAllowList(env.CRONIUM_HTTP_ALLOW) });
 * await net.request({ method: 'POST', url: new URL(u), headers: {}, body, signal });
 */
export const createGuardedNetwork = (
  o: { allow?: readonly string[]; resolve?: Resolver; maxBodyBytes?: number; userAgent?: string; ca?: readonly string[] } = {},
): GuardedNetwork => {
  const guard = createTargetGuard({ policy: createAddressPolicy({ allow: o.allow ?? [] }), resolve: o.resolve ?? systemResolver });
  return {
    async request(req) {
      const result = await performRequest(
        { method: req.method, url: req.url, headers: req.headers, ...(req.body ? { body: req.body } : {}), timeoutMs: 0 },
        {
          guard,
          send: sendHop,
          maxRedirects: 5,
          maxBodyBytes: o.maxBodyBytes ?? 64 * 1024,
          userAgent: o.userAgent ?? 'Cronium-Tools/1',
          ...(o.ca ? { ca: o.ca } : {}),
          signal: req.signal,
          note: () => {},
        },
      );
      return { status: result.status, statusText: result.statusText, body: result.body };
    },
    async checkHost(hostname, signal) {
      const target = await guard(
        new URL(`http://${hostname.includes(':') ? `[${hostname}]` : hostname}/`),
        `connect to ${hostname}`,
        signal,
      );
      return target.address;
    },
  };
};
