import type { CoreDeps } from '../deps';
import { ValidationError } from '../errors';
import type { Job } from '../model';
import type { ToolActionResult, ToolSecrets } from '../ports';
import { variablesOf, type ToolAction } from './toolModel';

/** A signing secret's bytes of entropy come from IdGenerator.secret (API-key strength). */
const SIGNING_SECRET_PREFIX = 'whsec_';

/** What tool actions need from the runtime: the adapter that performs them and where their state lives. */
export type ToolDeps = NonNullable<CoreDeps['tools']>;

/**
 * Performs tool actions for a tenant: loads the secret variables the action names and the tenant's
 * webhook signing secret (created on first use, stored encrypted), then hands them to the ToolActions port.
 */
export const createToolRunner = (deps: Pick<CoreDeps, 'store' | 'cipher' | 'ids'> & { tools: ToolDeps }) => {
  const { store, cipher, ids, tools } = deps;

  /** @throws ValidationError naming the field when a variable the action needs does not exist. */
  const variablesFor = async (tenant: string, action: ToolAction, field: string): Promise<Record<string, unknown>> => {
    const values: Record<string, unknown> = {};
    for (const name of variablesOf(action)) {
      const v = await store.variables.get(tenant, name);
      if (!v) {
        const which = action.action === 'email' ? 'smtpFromVariable' : 'urlFromVariable';
        throw new ValidationError(`${field}.${which}`, `variable "${name}" does not exist`);
      }
      values[name] = v.secret ? (JSON.parse(await cipher.decrypt(tenant, v.ciphertext ?? '')) as unknown) : v.value;
    }
    return values;
  };

  /** The tenant's signing secret, created (and stored encrypted) on first use. */
  const signingSecret = async (tenant: string): Promise<string> => {
    const stored = await tools.store.getSigningSecret(tenant);
    if (stored !== undefined) return cipher.decrypt(tenant, stored);
    const secret = `${SIGNING_SECRET_PREFIX}${ids.secret()}`;
    if (await tools.store.putSigningSecret(tenant, await cipher.encrypt(tenant, secret))) return secret;
    // Another request created it first: theirs is the one receivers will see.
    return cipher.decrypt(tenant, (await tools.store.getSigningSecret(tenant)) ?? '');
  };

  const secretsFor = async (tenant: string, action: ToolAction, field: string): Promise<ToolSecrets> => ({
    variables: await variablesFor(tenant, action, field),
    ...(action.action === 'webhook' ? { signingSecret: await signingSecret(tenant) } : {}),
  });

  return {
    signingSecret,
    /**
     * Renders and performs `action` for `tenant` with `data`.
     * @throws ValidationError when a variable it names is missing; whatever ToolActions throws.
     */
    async perform(
      tenant: string,
      action: ToolAction,
      data: Record<string, unknown>,
      opts: { field?: string; signal?: AbortSignal } = {},
    ): Promise<ToolActionResult> {
      const secrets = await secretsFor(tenant, action, opts.field ?? 'tool');
      return tools.actions.perform(action, data, secrets, opts.signal);
    },
  };
};

export type ToolRunner = ReturnType<typeof createToolRunner>;

/** What a tool job's templates see: `{{job.id}}`, `{{input.name}}`, … */
export const toolJobData = (job: Job): Record<string, unknown> => ({
  job: {
    id: job.id,
    tenant: job.tenant,
    status: job.status,
    createdAt: job.createdAt,
    ...(job.eventId ? { eventId: job.eventId, eventName: job.eventName } : {}),
    ...(job.scheduleId ? { scheduleId: job.scheduleId, scheduledAt: job.scheduledAt } : {}),
  },
  input: job.input ?? null,
});
