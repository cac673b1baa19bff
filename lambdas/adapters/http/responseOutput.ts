import type { HttpResult } from './performRequest';

/** `output.json` of an http job: what later workflow steps get as input. */
export interface HttpJobOutput {
  status: number;
  statusText: string;
  /** The URL that gave this response (after redirects). */
  url: string;
  headers: Record<string, string | string[]>;
  /** The body as text when it is UTF-8, else base64 (see `encoding`). */
  body: string;
  encoding: 'utf8' | 'base64';
  /** The body was longer than the launcher keeps; `body` holds its start. */
  truncated: boolean;
  /** Bytes of body kept. */
  bytes: number;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The body as text when it is UTF-8 without NUL bytes; undefined for binary. A truncated body may
 * end inside a character: up to three trailing bytes are dropped to find the cut.
 */
export const bodyText = (body: Buffer, truncated: boolean): string | undefined => {
  if (body.includes(0)) return undefined;
  for (let drop = 0; drop <= (truncated ? 3 : 0) && drop <= body.length; drop++) {
    try {
      return strictUtf8.decode(body.subarray(0, body.length - drop));
    } catch {
      // Not UTF-8 here; try a shorter cut when truncated.
    }
  }
  return undefined;
};

/** The `output.json` of a response. */
export const buildJobOutput = (result: HttpResult): HttpJobOutput => {
  const text = bodyText(result.body, result.truncated);
  return {
    status: result.status,
    statusText: result.statusText,
    url: result.url.href,
    headers: result.headers,
    body: text ?? result.body.toString('base64'),
    encoding: text === undefined ? 'base64' : 'utf8',
    truncated: result.truncated,
    bytes: result.body.length,
  };
};

/**
 * `output.json` as text, at most `maxJsonBytes`: when JSON escaping or base64 makes a kept body
 * too large for the workspace contract's `out/` budget, the body is cut further (and marked truncated).
 */
export const encodeJobOutput = (result: HttpResult, maxJsonBytes: number): string => {
  let current = result;
  for (;;) {
    const json = JSON.stringify(buildJobOutput(current));
    const size = Buffer.byteLength(json);
    if (size <= maxJsonBytes || current.body.length === 0) return json;
    const keep = Math.floor(current.body.length * (maxJsonBytes / size) * 0.98) - 16;
    current = { ...current, body: current.body.subarray(0, Math.max(0, keep)), truncated: true };
  }
};

/** `404 Not Found` */
export const describeStatus = (r: Pick<HttpResult, 'status' | 'statusText'>): string => `${r.status} ${r.statusText}`.trim();

/** Longest single log line of body shown; longer lines are cut. */
const MAX_LINE_CHARS = 8 * 1024;

/**
 * The log lines of a response: a status line, then the body (text only), capped at `maxBytes` so
 * a large body does not flood the job's log; the whole (capped) body is in `output.json`.
 */
export const responseLogLines = (result: HttpResult, o: { elapsedMs: number; maxBytes: number; maxBodyBytes: number }): string[] => {
  const size = `${result.body.length} bytes${result.truncated ? `, truncated at ${o.maxBodyBytes}` : ''}`;
  const lines = [`← ${describeStatus(result)} (${Math.round(o.elapsedMs)} ms, ${size})`];
  if (result.body.length === 0) return lines;
  const text = bodyText(result.body, result.truncated);
  if (text === undefined) {
    lines.push(`(binary body, ${result.body.length} bytes: base64 in output.json)`);
    return lines;
  }
  const bodyLines = text.split(/\r?\n/);
  if (bodyLines.at(-1) === '') bodyLines.pop();
  let used = 0;
  for (const [i, raw] of bodyLines.entries()) {
    const line = raw.length > MAX_LINE_CHARS ? `${raw.slice(0, MAX_LINE_CHARS)}… (line cut)` : raw;
    const cost = Buffer.byteLength(line) + 1;
    if (used + cost > o.maxBytes) {
      lines.push(`… ${bodyLines.length - i} more lines not shown; the body is in output.json`);
      break;
    }
    used += cost;
    lines.push(line);
  }
  if (result.truncated) lines.push(`… body truncated at ${o.maxBodyBytes} bytes`);
  return lines;
};
