import type { ChatAction, ToolActionResult, ToolActions, ToolSecrets, WebhookAction } from '../../core';
import { ToolConfigError } from './errors';
import { renderJson, renderText } from './render';
import { sendEmail, type CheckHost } from './sendEmail';
import { SignatureHeaders, signWebhook } from './signature';

/**
 * Requests under the SSRF guard of http jobs (`createGuardedNetwork` of the http adapter): the
 * composition root passes it in, so this adapter needs no other.
 */
export interface ToolNetwork {
  request(req: {
    method: string;
    url: URL;
    headers: Record<string, string>;
    body?: Buffer;
    signal: AbortSignal;
  }): Promise<{ status: number; statusText: string; body: Buffer }>;
  checkHost: CheckHost;
}

export interface ToolActionsOptions {
  network: ToolNetwork;
  /** Epoch ms, for the signature's timestamp. @default Date.now */
  now?: () => number;
  /** SMTP connection, greeting and socket timeouts. @default 10 s */
  smtpTimeoutMs?: number;
}

/** Most characters of a receiver's answer kept in a result. */
const MAX_ANSWER = 2_000;

/** Headers a webhook may not set: the transport's own and the signature's. */
const MANAGED = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'upgrade',
  'x-cronium-signature',
  'x-cronium-timestamp',
]);

const urlOf = (text: string, field: string): URL => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ToolConfigError(field, 'is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ToolConfigError(field, 'must be an http or https URL');
  return url;
};

const answerOf = (res: { status: number; statusText: string; body: Buffer }) => {
  const text = res.body.toString('utf8');
  return { status: res.status, statusText: res.statusText, body: text.length > MAX_ANSWER ? `${text.slice(0, MAX_ANSWER)}…` : text };
};

const noSignal = () => new AbortController().signal;

/**
 * Performs tool actions: `webhook` (any method, rendered headers and JSON body, signed with
 * X-Cronium-Signature over `<timestamp>.<body>`), `slack` and `discord` (a message to the incoming
 * webhook URL held by a variable), `email` (SMTP through nodemailer, settings from a variable).
 * Every connection goes through the SSRF guard. Templates are Mustache (logic-less).
 * @example
 * const actions = createToolActions({ network: createGuardedNetwork({ allow }) });
 */
export const createToolActions = (o: ToolActionsOptions): ToolActions => {
  const now = o.now ?? Date.now;
  const smtpTimeoutMs = o.smtpTimeoutMs ?? 10_000;

  const post = async (
    label: string,
    url: URL,
    method: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    signal: AbortSignal,
  ) => {
    const res = await o.network.request({ method, url, headers, ...(body ? { body } : {}), signal });
    const ok = res.status >= 200 && res.status < 300;
    return { ok, summary: `${label} answered ${res.status} ${res.statusText}`.trim(), response: answerOf(res) };
  };

  const webhook = async (a: WebhookAction, data: Record<string, unknown>, secrets: ToolSecrets, signal: AbortSignal) => {
    if (secrets.signingSecret === undefined) throw new ToolConfigError('tool', 'a webhook needs the signing secret');
    const url = urlOf(renderText(a.url, data), 'url');
    const method = (a.method ?? 'POST').toUpperCase();
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(a.headers ?? {})) {
      if (MANAGED.has(name.toLowerCase())) throw new ToolConfigError(`headers.${name}`, 'is set by Cronium');
      headers[name] = renderText(value, data);
    }
    const hasBody = method !== 'GET' && method !== 'HEAD';
    const body = hasBody ? Buffer.from(JSON.stringify(a.body !== undefined ? renderJson(a.body, data) : data)) : undefined;
    if (body && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    const timestamp = Math.floor(now() / 1000);
    headers[SignatureHeaders.timestamp] = String(timestamp);
    headers[SignatureHeaders.signature] = signWebhook(secrets.signingSecret, timestamp, body ?? '');
    return post(`${method} ${url.origin}${url.pathname}`, url, method, headers, body, signal);
  };

  const chat = async (a: ChatAction, data: Record<string, unknown>, secrets: ToolSecrets, signal: AbortSignal) => {
    const value = secrets.variables[a.urlFromVariable];
    if (typeof value !== 'string')
      throw new ToolConfigError(`variable ${a.urlFromVariable}`, 'must hold the incoming-webhook URL as a string');
    const url = urlOf(value, `variable ${a.urlFromVariable}`);
    const text = renderText(a.text, data);
    const body = Buffer.from(JSON.stringify(a.action === 'slack' ? { text } : { content: text }));
    // The URL is the secret: the summary names the service only.
    return post(a.action, url, 'POST', { 'Content-Type': 'application/json' }, body, signal);
  };

  return {
    async perform(action, data, secrets, signal = noSignal()): Promise<ToolActionResult> {
      switch (action.action) {
        case 'webhook':
          return webhook(action, data, secrets, signal);
        case 'slack':
        case 'discord':
          return chat(action, data, secrets, signal);
        case 'email': {
          const sent = await sendEmail(action, data, secrets.variables[action.smtpFromVariable], {
            checkHost: o.network.checkHost,
            signal,
            timeoutMs: smtpTimeoutMs,
          });
          return { ok: true, ...sent };
        }
      }
    },
  };
};
