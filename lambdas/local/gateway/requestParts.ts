import type { IncomingMessage } from 'node:http';
import type { APIGatewayEventIdentity } from 'aws-lambda';

/** Single- and multi-value maps the way API Gateway (REST, payload 1.0) builds them. */
export interface ValueMaps {
  /** The last value of each name. */
  single: Record<string, string>;
  /** Every value of each name, in order. */
  multi: Record<string, string[]>;
}

/** Splits a request target into its raw path and raw query (without `?`). */
export const splitTarget = (url: string | undefined): { rawPath: string; rawQuery: string } => {
  const target = url ?? '/';
  const q = target.indexOf('?');
  return q < 0 ? { rawPath: target, rawQuery: '' } : { rawPath: target.slice(0, q), rawQuery: target.slice(q + 1) };
};

/** Percent-decodes a path; a malformed escape leaves the path as sent rather than failing the request. */
export const decodePath = (rawPath: string): string => {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return rawPath;
  }
};

/**
 * Headers keyed by the names as the client sent them. Repeats of a name in another casing join the
 * first casing seen, so one header never shows up under two keys.
 */
export const readHeaders = (rawHeaders: readonly string[]): ValueMaps => {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  const casing = new Map<string, string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const sent = rawHeaders[i] as string;
    const value = rawHeaders[i + 1] as string;
    const lower = sent.toLowerCase();
    const name = casing.get(lower) ?? sent;
    casing.set(lower, name);
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return { single, multi };
};

/** Query parameters, or `undefined` when the query string has none. */
export const readQuery = (rawQuery: string): ValueMaps | undefined => {
  const params = new URLSearchParams(rawQuery);
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  let any = false;
  for (const [name, value] of params) {
    any = true;
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return any ? { single, multi } : undefined;
};

/** The peer address, without the IPv4-mapped IPv6 prefix. */
export const sourceIpOf = (req: IncomingMessage): string => (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');

/** A REST `requestContext.identity`: only `sourceIp` and `userAgent` are known locally. */
export const identityOf = (sourceIp: string, userAgent: string | null): APIGatewayEventIdentity => ({
  accessKey: null,
  accountId: null,
  apiKey: null,
  apiKeyId: null,
  caller: null,
  clientCert: null,
  cognitoAuthenticationProvider: null,
  cognitoAuthenticationType: null,
  cognitoIdentityId: null,
  cognitoIdentityPoolId: null,
  principalOrgId: null,
  sourceIp,
  user: null,
  userAgent,
  userArn: null,
});

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** `requestTime` in API Gateway's format: `15/May/2020:06:01:09 +0000`. */
export const formatRequestTime = (epochMs: number): string => {
  const d = new Date(epochMs);
  return (
    `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`
  );
};
