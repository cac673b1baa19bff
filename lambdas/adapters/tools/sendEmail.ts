import nodemailer from 'nodemailer';
import type { EmailAction } from '../../core';
import { ToolConfigError, ToolDeliveryError } from './errors';
import { renderText } from './render';

/** What the SMTP variable holds (a JSON object, or its JSON text). */
export interface SmtpSettings {
  host: string;
  port: number;
  /** TLS from the first byte (465); otherwise STARTTLS when the server offers it. */
  secure?: boolean;
  user?: string;
  password?: string;
  from?: string;
}

/** Resolves and checks a host as the SSRF guard does; the address to connect to. */
export type CheckHost = (hostname: string, signal: AbortSignal) => Promise<string>;

const asSettings = (value: unknown, variable: string): SmtpSettings => {
  const field = `variable ${variable}`;
  let v = value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v) as unknown;
    } catch {
      throw new ToolConfigError(field, 'must hold {"host", "port", "user", "password"} as JSON');
    }
  }
  if (typeof v !== 'object' || v === null) throw new ToolConfigError(field, 'must hold {"host", "port", "user", "password"}');
  const s = v as Record<string, unknown>;
  if (typeof s.host !== 'string' || s.host.length === 0) throw new ToolConfigError(field, 'host must be a non-empty string');
  if (!(typeof s.port === 'number' && Number.isInteger(s.port) && s.port > 0 && s.port < 65536)) {
    throw new ToolConfigError(field, 'port must be a whole number from 1 to 65535');
  }
  const text = (k: string) => (typeof s[k] === 'string' ? { [k]: s[k] } : {});
  return {
    host: s.host,
    port: s.port,
    ...(s.secure === true ? { secure: true } : {}),
    ...text('user'),
    ...text('password'),
    ...text('from'),
  };
};

const abortable = <T>(work: Promise<T>, signal: AbortSignal, onAbort: () => void): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      onAbort();
      reject(signal.reason);
      return;
    }
    const abort = () => {
      onAbort();
      reject(signal.reason);
    };
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });

/**
 * Sends an email action through SMTP (nodemailer) to the server the variable names, connecting to
 * the address the SSRF guard checked (TLS still verifies the host name).
 * @throws ToolConfigError for a bad variable or template; ToolDeliveryError when the server refuses.
 */
export const sendEmail = async (
  action: EmailAction,
  data: Record<string, unknown>,
  smtpValue: unknown,
  o: { checkHost: CheckHost; signal: AbortSignal; timeoutMs: number },
): Promise<{ summary: string; response: Record<string, unknown> }> => {
  const smtp = asSettings(smtpValue, action.smtpFromVariable);
  const address = await o.checkHost(smtp.host, o.signal);
  const to = renderText(action.to, data);
  const transport = nodemailer.createTransport({
    host: address,
    port: smtp.port,
    secure: smtp.secure ?? false,
    ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    tls: { servername: smtp.host },
    name: 'cronium',
    connectionTimeout: o.timeoutMs,
    greetingTimeout: o.timeoutMs,
    socketTimeout: o.timeoutMs,
  });
  try {
    const info = await abortable(
      transport.sendMail({
        from: action.from ? renderText(action.from, data) : (smtp.from ?? `cronium@${smtp.host}`),
        to,
        subject: renderText(action.subject, data),
        text: renderText(action.text, data),
      }),
      o.signal,
      () => transport.close(),
    );
    return {
      summary: `email to ${to} accepted by ${smtp.host}`,
      response: { accepted: info.accepted.map(String), rejected: info.rejected.map(String), messageId: info.messageId },
    };
  } catch (err) {
    if (o.signal.aborted) throw err;
    const message = err instanceof Error ? err.message : String(err);
    throw new ToolDeliveryError(`email to ${to} through ${smtp.host}:${smtp.port} failed: ${message}`, { cause: err });
  } finally {
    transport.close();
  }
};
