import { HttpFailureReasons, HttpRequestError } from './errors';
import type { HttpRequestPlan } from './httpSpec';
import { displayUrl } from './httpSpec';
import type { HopRequest, HopResponse } from './sendHop';
import type { PinnedTarget } from './targetGuard';

/** The final response of an http job's request, redirects followed. */
export interface HttpResult {
  /** The URL that gave the final response. */
  url: URL;
  method: string;
  status: number;
  statusText: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** The body was longer than `maxBodyBytes`; `body` holds its start. */
  truncated: boolean;
  redirects: number;
}

/** What performRequest needs besides the plan. */
export interface PerformDeps {
  /** The SSRF guard: checks a URL and pins the address to connect to. */
  guard: (url: URL, request: string, signal: AbortSignal) => Promise<PinnedTarget>;
  send: (hop: HopRequest) => Promise<HopResponse>;
  maxRedirects: number;
  maxBodyBytes: number;
  userAgent: string;
  ca?: readonly string[];
  signal: AbortSignal;
  /** A progress line for the job's log (`→ GET …`, `↪ 302 Found → …`). */
  note: (line: string) => void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** Headers that carry the caller's credentials; a redirect to another origin does not get them. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);
/** Headers that describe a body; dropped with the body when a redirect turns the request into a GET. */
const BODY_HEADERS = new Set(['content-type', 'content-encoding', 'content-language', 'content-location']);

const without = (headers: Record<string, string>, names: ReadonlySet<string>) =>
  Object.fromEntries(Object.entries(headers).filter(([name]) => !names.has(name.toLowerCase())));

const hasHeader = (headers: Record<string, string>, name: string) => Object.keys(headers).some((h) => h.toLowerCase() === name);

/**
 * Sends an http job's request, following redirects by hand so that every new URL goes through the
 * whole SSRF check again (a redirect to a refused address is refused, nothing sent to it). 303, and
 * 301/302 after a POST, continue as a GET without body, as browsers do; 307/308 repeat the request.
 * When `expectStatus` is itself a redirect status, redirects are not followed: the 3xx is the answer.
 * @throws HttpRequestError (and BlockedAddressError) for every way it can fail before a final response.
 * @throws the signal's reason when aborted.
 */
export const performRequest = async (plan: HttpRequestPlan, deps: PerformDeps): Promise<HttpResult> => {
  const follow = !(plan.expectStatus !== undefined && REDIRECTS.has(plan.expectStatus));
  let url = plan.url;
  let method = plan.method;
  let body = plan.body;
  let headers = hasHeader(plan.headers, 'user-agent') ? { ...plan.headers } : { ...plan.headers, 'User-Agent': deps.userAgent };

  for (let redirects = 0; ; redirects++) {
    const label = `${method} ${displayUrl(url)}`;
    const request = redirects === 0 ? label : `${label} (redirected from ${displayUrl(plan.url)})`;
    deps.signal.throwIfAborted();
    const target = await deps.guard(url, request, deps.signal);
    deps.signal.throwIfAborted();
    deps.note(`→ ${label}`);
    const response = await deps.send({
      target,
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: deps.signal,
      label: request,
      ...(deps.ca ? { ca: deps.ca } : {}),
    });

    const location = response.headers.location;
    const to = Array.isArray(location) ? location[0] : location;
    if (follow && REDIRECTS.has(response.status) && to) {
      response.discard();
      if (redirects >= deps.maxRedirects) {
        throw new HttpRequestError(
          HttpFailureReasons.redirect,
          `${request} failed: stopped after ${deps.maxRedirects} redirects (the limit)`,
        );
      }
      let next: URL;
      try {
        next = new URL(to, url);
      } catch (err) {
        throw new HttpRequestError(HttpFailureReasons.protocol, `${request} failed: the redirect's Location is not a URL`, {
          cause: err,
        });
      }
      deps.note(`↪ ${response.status} ${response.statusText} → ${displayUrl(next)}`);
      const becomesGet =
        (response.status === 303 && method !== 'HEAD') || ((response.status === 301 || response.status === 302) && method === 'POST');
      if (becomesGet) {
        method = 'GET';
        body = undefined;
        headers = without(headers, BODY_HEADERS);
      }
      if (next.origin !== url.origin) headers = without(headers, CREDENTIAL_HEADERS);
      url = next;
      continue;
    }

    const read = await response.readBody(deps.maxBodyBytes);
    return {
      url,
      method,
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      body: read.body,
      truncated: read.truncated,
      redirects,
    };
  }
};
