/** Where the console finds the APIs: `/console/config.json`, written by each home. */
export interface ConsoleConfig {
  /** REST base URL without a trailing slash; empty for the page's own origin (one machine). */
  apiUrl: string;
  /** WebSocket URL, absolute (`wss://…` on AWS) or a path on the page's origin (`/ws`). */
  wsUrl: string;
}

export const loadConfig = async (): Promise<ConsoleConfig> => {
  const res = await fetch('/console/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`could not load the console's configuration (${res.status})`);
  const config = (await res.json()) as Partial<ConsoleConfig>;
  return { apiUrl: (config.apiUrl ?? '').replace(/\/+$/, ''), wsUrl: config.wsUrl ?? '/ws' };
};

/** The absolute WebSocket URL for `wsUrl`, resolving a path against the page's origin. */
export const absoluteWsUrl = (wsUrl: string): string => {
  if (/^wss?:\/\//.test(wsUrl)) return wsUrl;
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}${wsUrl}`;
};
