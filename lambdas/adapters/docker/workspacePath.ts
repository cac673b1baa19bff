/** Where a job's workspace is mounted in its container. */
export const WorkspacePath = '/workspace';
