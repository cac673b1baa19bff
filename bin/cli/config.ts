import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MissingApiKeyError, UsageError } from './errors';

/** The global flags that feed configuration. */
export interface ConfigFlags {
  url?: string;
  apiKey?: string;
  dataDir?: string;
}

/** Where the CLI talks to and as whom. */
export interface CliConfig {
  /** Base URL without a trailing slash. */
  url: string;
  /** Undefined when no source had one; commands that call the API require it. */
  apiKey?: string;
  /** The WebSocket API's own URL (`CRONIUM_WS_URL`, as on AWS); by default `<url>/ws`. */
  wsUrl?: string;
  dataDir: string;
  /** Where a missing key would be looked up, for the error message. */
  keyFile: string;
}

/** Used when neither a flag, the environment nor the data directory says otherwise. */
export const defaultUrl = 'http://127.0.0.1:8080';
export const defaultDataDir = '.cronium';

const readTrimmed = (path: string): string | undefined => {
  try {
    const text = readFileSync(path, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
};

const nonEmpty = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

const normaliseUrl = (raw: string): string => {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new UsageError(`invalid control plane URL ${JSON.stringify(raw)}: expected http(s)://host[:port]`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`invalid control plane URL ${JSON.stringify(raw)}: expected http or https`);
  }
  return parsed.href.replace(/\/+$/, '');
};

const checkWsUrl = (raw: string | undefined): string | undefined => {
  if (raw === undefined) return undefined;
  if (!URL.canParse(raw) || !['ws:', 'wss:'].includes(new URL(raw).protocol)) {
    throw new UsageError(`invalid CRONIUM_WS_URL ${JSON.stringify(raw)}: expected ws(s)://host[/stage]`);
  }
  return raw;
};

/**
 * Resolves URL, API key and data directory. Each comes from, in order: its
 * flag, its environment variable (`CRONIUM_URL`, `CRONIUM_API_KEY`,
 * `CRONIUM_DATA_DIR`), the files the local control plane writes in the data
 * directory (`endpoint`, `admin-key`), then the default.
 *
 * @throws UsageError when the chosen URL is not an http(s) URL.
 * @example
 * resolveConfig({ url: undefined }, process.env, process.cwd());
 */
export const resolveConfig = (flags: ConfigFlags, env: Readonly<Record<string, string | undefined>>, cwd: string): CliConfig => {
  const dataDir = resolve(cwd, nonEmpty(flags.dataDir) ?? nonEmpty(env.CRONIUM_DATA_DIR) ?? defaultDataDir);
  const keyFile = join(dataDir, 'admin-key');
  const url = nonEmpty(flags.url) ?? nonEmpty(env.CRONIUM_URL) ?? readTrimmed(join(dataDir, 'endpoint')) ?? defaultUrl;
  const apiKey = nonEmpty(flags.apiKey) ?? nonEmpty(env.CRONIUM_API_KEY) ?? readTrimmed(keyFile);
  const wsUrl = checkWsUrl(nonEmpty(env.CRONIUM_WS_URL));
  return { url: normaliseUrl(url), apiKey, dataDir, keyFile, ...(wsUrl ? { wsUrl } : {}) };
};

/**
 * The API key of `config`.
 *
 * @throws MissingApiKeyError when no source provided one.
 */
export const requireApiKey = (config: CliConfig): string => {
  if (config.apiKey === undefined) throw new MissingApiKeyError(config.keyFile);
  return config.apiKey;
};

/**
 * The WebSocket URL with the key in `?token=`: `wsUrl` when the WebSocket API has its own (AWS), else
 * the base URL's http→ws, https→wss with path `/ws` (the local home).
 */
export const webSocketUrl = (baseUrl: string, apiKey: string, wsUrl?: string): string => {
  const url = new URL(wsUrl ?? baseUrl);
  if (!wsUrl) {
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/ws`;
  }
  url.search = '';
  url.searchParams.set('token', apiKey);
  return url.href;
};
