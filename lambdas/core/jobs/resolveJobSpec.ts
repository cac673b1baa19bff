import type { CoreConfig } from '../config';
import { ValidationError } from '../errors';
import type { JobSpec, Resources, Runtime } from '../model';

/** What a caller may ask for; omitted fields take the operator's defaults. */
export interface JobSpecRequest {
  runtime: Runtime;
  script: string;
  env?: Record<string, string>;
  timeoutSeconds?: number;
  resources?: Partial<Resources>;
}

const within = (field: string, value: number, min: number, max: number, integer = true): number => {
  if (!(value >= min && value <= max)) {
    throw new ValidationError(field, `must be between ${min} and ${max}, got ${value}`);
  }
  if (integer && !Number.isInteger(value)) throw new ValidationError(field, `must be a whole number, got ${value}`);
  return value;
};

/**
 * Fills defaults and enforces the operator's maxima.
 * @throws ValidationError naming the first field out of bounds.
 */
export const resolveJobSpec = (request: JobSpecRequest, config: CoreConfig, prefix = ''): JobSpec => {
  const { defaultResources: d, maxResources: m } = config;
  const r = request.resources ?? {};
  return {
    runtime: request.runtime,
    script: request.script,
    env: request.env ?? {},
    timeoutSeconds: within(
      `${prefix}timeoutSeconds`,
      request.timeoutSeconds ?? config.defaultTimeoutSeconds,
      1,
      config.maxTimeoutSeconds,
    ),
    resources: {
      cpu: within(`${prefix}resources.cpu`, r.cpu ?? d.cpu, 0.05, m.cpu, false),
      memoryMb: within(`${prefix}resources.memoryMb`, r.memoryMb ?? d.memoryMb, 16, m.memoryMb),
      pids: within(`${prefix}resources.pids`, r.pids ?? d.pids, 8, m.pids),
    },
  };
};
