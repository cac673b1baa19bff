import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, relative, sep } from 'node:path';
import { croniumError, sendJson } from './respond';

/** The built web console (`npm run build:console`) and what its `config.json` says. */
export interface ConsoleSite {
  /** The build's directory (`console/dist`). */
  dir: string;
  /** Written as `/console/config.json`: the REST base URL (empty: this origin) and the WebSocket URL or path. */
  config: { apiUrl: string; wsUrl: string };
}

// The same policy the CloudFront distribution sends on AWS (docs/console.md): nothing inline, nothing
// from elsewhere; the APIs are this origin.
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

interface File {
  body: Buffer;
  type: string;
  cache: string;
}

/** Is this request the console's (the page at `/`, everything under `/console/`) rather than the API's? */
export const isConsolePath = (rawPath: string): boolean => rawPath === '/' || rawPath.startsWith('/console/');

/**
 * Serves the console from memory. The build is read once, on the first request, into a map keyed by
 * URL path, so no request path ever reaches the file system (no traversal to guard against).
 */
export const createConsoleServer = (site: ConsoleSite) => {
  let files: Promise<Map<string, File> | undefined> | undefined;
  const load = async (): Promise<Map<string, File> | undefined> => {
    const map = new Map<string, File>();
    let entries: string[];
    try {
      entries = await readdir(site.dir, { recursive: true });
    } catch {
      return undefined;
    }
    for (const entry of entries) {
      const type = TYPES[extname(entry)];
      if (!type) continue;
      const body = await readFile(join(site.dir, entry)).catch(() => undefined);
      if (!body) continue;
      const path = `/console/${relative('.', entry).split(sep).join('/')}`;
      // Hashed asset names change with their content; the page and the configuration must not be kept.
      map.set(path, { body, type, cache: path.startsWith('/console/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache' });
    }
    const index = map.get('/console/index.html');
    if (!index) return undefined;
    map.set('/', index);
    map.set('/console/', index);
    map.set('/console/config.json', { body: Buffer.from(JSON.stringify(site.config)), type: TYPES['.json']!, cache: 'no-cache' });
    return map;
  };

  return async (req: IncomingMessage, res: ServerResponse, rawPath: string): Promise<void> => {
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendJson(res, 405, croniumError('method_not_allowed', `method ${req.method} is not allowed on ${rawPath}`), {
        headers: { allow: 'GET, HEAD' },
      });
    }
    files ??= load();
    const site = await files;
    if (!site) {
      files = undefined; // built later: try again on the next request
      return sendJson(res, 503, croniumError('internal', 'the web console is not built: run `npm run build:console`'));
    }
    const file = site.get(rawPath);
    if (!file) return sendJson(res, 404, croniumError('not_found', `${rawPath} is not part of the console`));
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': file.type, 'Content-Length': file.body.length, 'Cache-Control': file.cache });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  };
};
export type ConsoleServer = ReturnType<typeof createConsoleServer>;
