/**
 * The container name, paths, user and tags every job task shares: the job task definitions
 * (lib/JobCluster.ts) and the ECS launcher (createEcsLauncher.ts) both read them from here, so the
 * stack and the adapter cannot drift apart.
 */
export const JobTaskContract = {
  /** Name of the single container in every job task definition; RunTask overrides address it by name. */
  containerName: 'job',
  /** Task-local volume the script runs in; also `CRONIUM_WORKSPACE`. */
  workspacePath: '/workspace',
  /** Task-local volume standing in for the tmpfs Fargate cannot mount. */
  tmpPath: '/tmp',
  /** Non-root user the job runs as; the images make `/workspace` and `/tmp` writable for it. */
  user: '1000:1000',
  /**
   * Environment the launcher sets: the presigned URLs the image entrypoint
   * (runtime-images/scripts/cronium-entrypoint.sh) fetches `in/` from and uploads `out/` to.
   */
  env: { inUrl: 'CRONIUM_IN_URL', outUrl: 'CRONIUM_OUT_URL' },
  /** Tags RunTask puts on each task, read back by `list()`. */
  tags: { tenant: 'cronium:tenant', jobId: 'cronium:job-id', secrets: 'cronium:secrets', log: 'cronium:log' },
  /** Value of the `secrets` tag on the task of a job that got no secret value (ExecutionRequest.secretFree). */
  noSecrets: 'none',
  /** Value of the `log` tag on the task of a job whose log held no line at launch (ExecutionRequest.freshLog). */
  freshLog: 'fresh',
} as const;
