import { InvalidGatewayOptionsError } from './errors';
import type { GatewayLogger, LocalGatewayOptions } from './types';

/** Where an identity source is read from on the upgrade request. */
export interface IdentitySource {
  from: 'header' | 'querystring';
  name: string;
}

/** Every option resolved to a value, plus the fixed names local events carry. */
export interface GatewaySettings {
  host: string;
  port: number;
  stage: string;
  maxBodyBytes: number;
  bodyTimeoutMs: number;
  publicPaths: ReadonlySet<string>;
  binaryMediaTypes: readonly string[];
  wsPath: string;
  wsIdentitySource: readonly IdentitySource[];
  wsRoutes: ReadonlySet<string>;
  managementAccessKeyId: string | undefined;
  timeoutMs: number;
  logger: GatewayLogger;
  region: string;
  accountId: string;
  apiId: string;
}

/** API Gateway's limit on one WebSocket message, which is also the management API's `Data` limit. */
export const MAX_WS_MESSAGE_BYTES = 128 * 1024;

const quiet: GatewayLogger = { info() {}, warn() {}, error() {} };
const IDENTITY_SOURCE = /^route\.request\.(header|querystring)\.(.+)$/;
const RESERVED_ROUTES = new Set(['$connect', '$disconnect', '$default']);

/**
 * Applies the defaults and checks the options together.
 * @throws InvalidGatewayOptionsError listing every problem found.
 */
export const resolveSettings = (o: LocalGatewayOptions): GatewaySettings => {
  const problems: string[] = [];
  const stage = o.stage ?? 'local';
  const wsPath = o.wsPath ?? '/ws';
  const maxBodyBytes = o.maxBodyBytes ?? 1024 * 1024;
  const port = o.port ?? 8080;
  const timeoutMs = o.timeoutMs ?? 29_000;
  const bodyTimeoutMs = o.bodyTimeoutMs ?? 10_000;
  if (!/^[A-Za-z0-9_-]+$/.test(stage)) problems.push(`stage "${stage}" must be letters, digits, - or _`);
  if (!wsPath.startsWith('/') || wsPath.includes('?')) problems.push(`wsPath "${wsPath}" must be a path`);
  if (wsPath.includes('/@connections')) problems.push('wsPath must not overlap /@connections');
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) problems.push('maxBodyBytes must be a positive integer');
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push('port must be 0..65535');
  if (!(timeoutMs > 0)) problems.push('timeoutMs must be positive');
  if (!(bodyTimeoutMs > 0)) problems.push('bodyTimeoutMs must be positive');
  const wsIdentitySource: IdentitySource[] = [];
  for (const source of o.wsIdentitySource ?? ['route.request.querystring.token']) {
    const m = IDENTITY_SOURCE.exec(source);
    if (m?.[1] && m[2]) wsIdentitySource.push({ from: m[1] as IdentitySource['from'], name: m[2] });
    else problems.push(`wsIdentitySource "${source}" must be route.request.header.X or route.request.querystring.X`);
  }
  for (const route of o.wsRoutes ?? []) {
    if (RESERVED_ROUTES.has(route)) problems.push(`wsRoutes must not contain the reserved route ${route}`);
  }
  if (problems.length > 0) throw new InvalidGatewayOptionsError(problems);
  return {
    host: o.host ?? '127.0.0.1',
    port,
    stage,
    maxBodyBytes,
    bodyTimeoutMs,
    publicPaths: new Set(o.publicPaths ?? []),
    binaryMediaTypes: o.binaryMediaTypes ?? ['application/octet-stream', 'application/zip', 'application/gzip', 'image/*'],
    wsPath,
    wsIdentitySource,
    wsRoutes: new Set(o.wsRoutes ?? []),
    managementAccessKeyId: o.managementAccessKeyId,
    timeoutMs,
    logger: o.logger ?? quiet,
    region: 'local',
    accountId: '000000000000',
    apiId: 'local',
  };
};
