import type { CoreDeps } from '../deps';
import { NotFoundError, ValidationError } from '../errors';
import type { Caller, EnvValue, Job, Variable } from '../model';
import { VARIABLE_KEY } from '../workspace/workspaceContract';
import { createVariablesByVersion } from './variablesByVersion';

/** A variable as the API shows it: a secret's value never leaves the store. */
export interface VariableView {
  key: string;
  secret: boolean;
  value?: unknown;
  updatedAt: string;
}

/** What a job gets from the variable store when it starts. */
export interface JobVariables {
  /** Every variable of the tenant, secrets decrypted: `in/variables.json`. */
  values: Record<string, unknown>;
  /** The job's environment with `{fromVariable}` references resolved. */
  env: Record<string, string>;
  /** Text forms of every secret value that reaches the job, for masking. */
  secrets: string[];
}

const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

const view = (v: Variable): VariableView => ({
  key: v.key,
  secret: v.secret,
  ...(v.secret ? {} : { value: v.value }),
  updatedAt: v.updatedAt,
});

/** Tenant variables, with secrets encrypted at rest through the cipher port. */
export const createVariables = ({ store, cipher, clock }: Pick<CoreDeps, 'store' | 'cipher' | 'clock'>) => {
  const checkKey = (key: string) => {
    if (!VARIABLE_KEY.test(key)) {
      throw new ValidationError('key', 'must start with a letter or underscore and hold letters, digits, _ . - (at most 128)');
    }
  };

  const write = async (tenant: string, key: string, value: unknown, secret: boolean): Promise<Variable> => {
    const variable: Variable = {
      tenant,
      key,
      secret,
      ...(secret ? { ciphertext: await cipher.encrypt(tenant, JSON.stringify(value)) } : { value }),
      updatedAt: new Date(clock.now()).toISOString(),
    };
    await store.variables.put(variable);
    return variable;
  };

  const byVersion = createVariablesByVersion();

  /** The tenant's variables for a job: the list kept under its submission's version, else one read. */
  const listFor = async (job: Job): Promise<Variable[]> => {
    const version = job.variablesVersion;
    if (version === undefined) return store.variables.list(job.tenant);
    const kept = byVersion.get(job.tenant, version);
    if (kept) return kept;
    const read = await store.variables.list(job.tenant);
    byVersion.keep(job.tenant, version, read);
    return read;
  };

  const valueOf = async (v: Variable): Promise<unknown> =>
    v.secret ? (JSON.parse(await cipher.decrypt(v.tenant, v.ciphertext ?? '')) as unknown) : v.value;

  return {
    /** Creates or replaces a variable. @throws ValidationError for a bad key. */
    async put(caller: Caller, key: string, request: { value: unknown; secret?: boolean }): Promise<VariableView> {
      checkKey(key);
      return view(await write(caller.tenant, key, request.value, request.secret ?? false));
    },

    list: async (caller: Caller): Promise<VariableView[]> =>
      (await store.variables.list(caller.tenant)).sort((a, b) => a.key.localeCompare(b.key)).map(view),

    /** @throws NotFoundError */
    async remove(caller: Caller, key: string): Promise<void> {
      if (!(await store.variables.delete(caller.tenant, key))) throw new NotFoundError('variable', key);
    },

    /**
     * Everything a starting job gets from the store: its tenant's variables as of its submission
     * or later (a job submitted under the version of a list read before is given that list).
     * @throws ValidationError naming `env.NAME` when a referenced variable does not exist.
     */
    async forJob(job: Job): Promise<JobVariables> {
      const all = await listFor(job);
      const values: Record<string, unknown> = {};
      const secrets: string[] = [];
      for (const v of all) {
        values[v.key] = await valueOf(v);
        if (v.secret) secrets.push(asText(values[v.key]));
      }
      const env: Record<string, string> = {};
      for (const [name, ref] of Object.entries<EnvValue>(job.env)) {
        if (typeof ref === 'string') {
          env[name] = ref;
          continue;
        }
        if (!(ref.fromVariable in values)) {
          throw new ValidationError(`env.${name}`, `variable "${ref.fromVariable}" does not exist`);
        }
        env[name] = asText(values[ref.fromVariable]);
      }
      return { values, env, secrets };
    },

    /** Stores what a script set; a variable that is secret stays secret. */
    async applyFromJob(tenant: string, set: Record<string, unknown>): Promise<void> {
      for (const [key, value] of Object.entries(set)) {
        const existing = await store.variables.get(tenant, key);
        await write(tenant, key, value, existing?.secret ?? false);
      }
    },

    /** Text forms of the tenant's secret values, for masking logs the job writes. */
    async secretsOf(tenant: string): Promise<string[]> {
      const secret = (await store.variables.list(tenant)).filter((v) => v.secret);
      return Promise.all(secret.map(async (v) => asText(await valueOf(v))));
    },
  };
};

export type Variables = ReturnType<typeof createVariables>;
