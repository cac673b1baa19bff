import type { JobKey } from '../../core';

/** Where one job's workspace objects live in the bucket; `prefix` is the part every job shares. */
export const JobObjects = {
  prefix: 'jobs/',
  /** `in/` and the env file, written by the control plane before RunTask, fetched by the task. */
  input: 'in.tar',
  /** A tar of `out/`, uploaded by the task's entrypoint when the script ended. */
  output: 'out.tar',
} as const;

/** `jobs/<tenant>/<jobId>/`: tenant and id URI-encoded, so neither can climb into another job's folder. */
export const jobFolder = (key: JobKey): string => `${JobObjects.prefix}${encodeURIComponent(key.tenant)}/${encodeURIComponent(key.jobId)}/`;

/** The object keys of one job's workspace. */
export const jobObjectKeys = (key: JobKey): { input: string; output: string } => {
  const folder = jobFolder(key);
  return { input: `${folder}${JobObjects.input}`, output: `${folder}${JobObjects.output}` };
};
