import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { WorkspaceLimits } from '../../core';
import type { JobKey, WorkspaceFiles, WorkspaceOutputs } from '../../core';
import { OutArchiveError, WorkspaceStoreError } from './errors';
import { buildInputArchive } from './inputArchive';
import { jobObjectKeys } from './jobObjectKeys';
import { readOutputArchive, type OutArchiveLimits } from './outputArchive';

/** Options of {@link createS3Workspace}. */
export interface S3WorkspaceOptions {
  client: S3Client;
  /** The workspace bucket (SSE-KMS by default with its own key: lib/JobWorkspace.ts). */
  bucket: string;
  /**
   * How long the `in/` GET URL stays valid: long enough for Fargate to pull the image and start.
   * @default 900 (15 minutes)
   */
  inUrlSeconds?: number;
  /**
   * How long the `out/` PUT URL stays valid beyond the job's own timeout (start and upload time).
   * @default 900 (15 minutes)
   */
  outUrlMarginSeconds?: number;
}

/** What one staged job gets: the two presigned URLs its task uses, and nothing else. */
export interface StagedWorkspace {
  /** Presigned GET of the job's `in/` archive (script, input, context, variables, env file). */
  inUrl: string;
  /** Presigned PUT for the tar of `out/` the entrypoint uploads when the script ends. */
  outUrl: string;
}

/** What {@link S3Workspace.stage} puts into the bucket for one job. */
export interface StageRequest {
  key: JobKey;
  /** The `in/` files the core built (`buildWorkspace`). */
  workspace: WorkspaceFiles;
  /** The job's environment, secret values included: it goes only into the encrypted object. */
  env: Record<string, string>;
  /** The job's timeout: the PUT URL must outlive the run. */
  timeoutSeconds: number;
}

/** A job's workspace in S3: staged before RunTask, read back and deleted after the task stopped. */
export interface S3Workspace {
  /**
   * Puts the job's `in/` and env as one object (SSE-KMS) and signs a GET for it and a PUT for `out/`.
   * @throws ValidationError for a workspace path or env name the task cannot take (never a value).
   * @throws WorkspaceStoreError when S3 refuses the upload or the URLs cannot be signed.
   */
  stage(request: StageRequest): Promise<StagedWorkspace>;
  /**
   * What the script left in `out/`, read within the limits every launcher applies, for the core
   * to validate (`readRunResults`).
   * @returns undefined when the task uploaded nothing (it never started, or was killed first).
   * @throws OutArchiveError when the upload is not a tar archive.
   * @throws WorkspaceStoreError when S3 fails.
   */
  readOutputs(key: JobKey): Promise<WorkspaceOutputs | undefined>;
  /**
   * Deletes the job's objects; objects already gone are not an error.
   * @throws WorkspaceStoreError when S3 fails.
   */
  remove(key: JobKey): Promise<void>;
}

/** The read-back limits every launcher applies (the core's WorkspaceLimits). */
export const OutLimits: OutArchiveLimits = { maxContentBytes: WorkspaceLimits.maxOutBytes, maxEntries: WorkspaceLimits.maxOutEntries };

/**
 * Most bytes of the uploaded object read at all: the entrypoint caps its tar at this size (as the
 * Docker wrapper does), and a larger object cannot be one it wrote.
 */
export const OutObjectCapBytes = 8 * 1024 * 1024;

/** SigV4 presigned URLs live at most 7 days. */
const MaxPresignSeconds = 7 * 24 * 3600;

const isMissing = (err: unknown): boolean => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
};

/**
 * The job workspace over S3 (the Fargate half of docs/helpers/workspace.md). Each job has two
 * objects under `jobs/<tenant>/<jobId>/`: `in.tar`, written here before RunTask, and `out.tar`,
 * written by the task through a presigned PUT. The bucket's default encryption (SSE-KMS with its
 * own key) applies to both; `in.tar` also asks for it explicitly, so a bucket without it refuses
 * the put instead of storing secrets unencrypted. The URLs carry the rights of whoever signs them
 * (the dispatcher's role) for one object and one method, for a short time.
 *
 * @example
 * const workspace = createS3Workspace({ client: new S3Client({}), bucket: process.env.CRONIUM_WORKSPACE_BUCKET! });
 * const { inUrl, outUrl } = await workspace.stage({ key, workspace: files, env, timeoutSeconds: 300 });
 * // … the task runs and stops …
 * const outputs = await workspace.readOutputs(key);
 */
export const createS3Workspace = (o: S3WorkspaceOptions): S3Workspace => {
  const { client, bucket } = o;
  const inUrlSeconds = o.inUrlSeconds ?? 900;
  const outMargin = o.outUrlMarginSeconds ?? 900;

  return {
    async stage({ key, workspace, env, timeoutSeconds }) {
      const keys = jobObjectKeys(key);
      const body = await buildInputArchive(workspace, env);
      try {
        await client.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: keys.input,
            Body: body,
            ContentType: 'application/x-tar',
            ServerSideEncryption: 'aws:kms',
          }),
        );
        const [inUrl, outUrl] = await Promise.all([
          getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: keys.input }), { expiresIn: inUrlSeconds }),
          getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: keys.output }), {
            expiresIn: Math.min(MaxPresignSeconds, Math.ceil(timeoutSeconds) + outMargin),
          }),
        ]);
        return { inUrl, outUrl };
      } catch (err) {
        throw new WorkspaceStoreError(`staging the workspace of job ${key.jobId} failed`, { cause: err });
      }
    },

    async readOutputs(key) {
      let out;
      try {
        out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: jobObjectKeys(key).output }));
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw new WorkspaceStoreError(`reading out/ of job ${key.jobId} failed`, { cause: err });
      }
      const body = out.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
      if (!body) return { files: {} };
      if ((out.ContentLength ?? 0) > OutObjectCapBytes) {
        body.destroy?.();
        return { files: {}, overLimit: true };
      }
      try {
        return await readOutputArchive(body, OutLimits);
      } catch (err) {
        if (err instanceof OutArchiveError) throw err;
        throw new WorkspaceStoreError(`reading out/ of job ${key.jobId} failed`, { cause: err });
      }
    },

    async remove(key) {
      const keys = jobObjectKeys(key);
      try {
        const out = await client.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: keys.input }, { Key: keys.output }], Quiet: true } }),
        );
        const failed = out.Errors?.[0];
        if (failed) throw new Error(`${failed.Code ?? 'error'}: ${failed.Message ?? ''}`);
      } catch (err) {
        throw new WorkspaceStoreError(`deleting the workspace of job ${key.jobId} failed`, { cause: err });
      }
    },
  };
};
