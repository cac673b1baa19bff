export { createS3Workspace, OutLimits, OutObjectCapBytes } from './createS3Workspace';
export type { S3Workspace, S3WorkspaceOptions, StagedWorkspace, StageRequest } from './createS3Workspace';
export { OutArchiveError, WorkspaceStoreError } from './errors';
export { EnvFilePath } from './inputArchive';
export { JobObjects, jobFolder, jobObjectKeys } from './jobObjectKeys';
