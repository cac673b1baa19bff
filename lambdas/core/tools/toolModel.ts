/**
 * Tool actions: what a `tool` job does, and what a notification does. Text fields are Mustache
 * templates rendered with the job's fields (logic-less: no code runs). Secrets are never written
 * here, only the names of the secret variables that hold them. No import from model.ts: the model
 * imports these types.
 */
export const ToolActionKinds = ['webhook', 'slack', 'discord', 'email'] as const;
export type ToolActionKind = (typeof ToolActionKinds)[number];

/** A JSON value whose strings are templates. */
export type JsonTemplate = string | number | boolean | null | JsonTemplate[] | { [key: string]: JsonTemplate };

/** An HTTP request to any URL the SSRF guard lets through, signed with the tenant's signing secret. */
export interface WebhookAction {
  action: 'webhook';
  /** A template; the rendered URL must be http or https. */
  url: string;
  /** @default POST */
  method?: string;
  /** Values are templates. */
  headers?: Record<string, string>;
  /** Sent as JSON, each string rendered. @default the notification's or tool job's payload */
  body?: JsonTemplate;
}

/** A message to a Slack or Discord incoming webhook whose URL is a (secret) variable. */
export interface ChatAction {
  action: 'slack' | 'discord';
  urlFromVariable: string;
  /** A template. */
  text: string;
}

/** An email sent through SMTP; the server and its credentials are one (secret) variable. */
export interface EmailAction {
  action: 'email';
  /** A variable holding `{host, port, secure?, user?, password?, from?}`. */
  smtpFromVariable: string;
  /** Templates. `from` defaults to the variable's `from`, then `cronium@<host>`. */
  from?: string;
  to: string;
  subject: string;
  text: string;
}

export type ToolAction = WebhookAction | ChatAction | EmailAction;

/** The names of the variables an action reads. */
export const variablesOf = (action: ToolAction): string[] => {
  if (action.action === 'slack' || action.action === 'discord') return [action.urlFromVariable];
  if (action.action === 'email') return [action.smtpFromVariable];
  return [];
};

/** Where an action goes, as shown in a job's notifications (never a secret: variable names only). */
export const describeAction = (action: ToolAction): string => {
  if (action.action === 'webhook') return `webhook ${action.method ?? 'POST'} ${action.url}`;
  if (action.action === 'email') return `email to ${action.to}`;
  return `${action.action} via variable ${action.urlFromVariable}`;
};
