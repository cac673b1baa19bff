import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { pack, extract } from 'tar-stream';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { createS3Workspace, EnvFilePath, OutArchiveError, OutObjectCapBytes, WorkspaceStoreError } from '../../../lambdas/adapters/s3';
import { ErrorCodes, ValidationError, WorkspaceLimits } from '../../../lambdas/core';

const s3 = mockClient(S3Client);
const BUCKET = 'cronium-workspace';
const KEY = { tenant: 'acme', jobId: 'job01' };
const client = () =>
  new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG' } });
const workspace = () => createS3Workspace({ client: client(), bucket: BUCKET });

const scratch = mkdtempSync(path.join(tmpdir(), 'cronium-s3-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Every member of a tar buffer: name → content (directories as ''). */
const untar = async (buffer: Buffer): Promise<Map<string, { content: string; mode: number; type: string }>> => {
  const members = new Map<string, { content: string; mode: number; type: string }>();
  const ex = extract();
  const done = (async () => {
    for await (const entry of ex) {
      const parts: Buffer[] = [];
      for await (const chunk of entry) parts.push(chunk as Buffer);
      members.set(entry.header.name, { content: Buffer.concat(parts).toString('utf8'), mode: entry.header.mode, type: entry.header.type });
    }
  })();
  ex.end(buffer);
  await done;
  return members;
};

const tarOf = async (entries: Array<{ name: string; content?: string; type?: 'file' | 'directory' | 'symlink'; linkname?: string }>) => {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    if (e.type && e.type !== 'file') p.entry({ name: e.name, type: e.type, linkname: e.linkname });
    else p.entry({ name: e.name }, e.content ?? '');
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
};

/** A GetObject body: the adapter only iterates it, as it would the SDK's stream. */
const body = (buffer: Buffer) => Readable.from([buffer]) as never;
const putBody = () => s3.commandCalls(PutObjectCommand)[0]!.args[0].input.Body as Buffer;

beforeEach(() => {
  s3.reset();
});

describe('createS3Workspace stage', () => {
  it('puts in/ and the env file as one tar under the job folder, encrypted with KMS', async () => {
    // Arrange
    s3.on(PutObjectCommand).resolves({});
    const files = { 'in/script.sh': 'echo hi\n', 'in/input.json': '{"a":1}\n' };

    // Act
    await workspace().stage({ key: KEY, workspace: files, env: { GREETING: 'hi' }, timeoutSeconds: 60 });

    // Assert
    const input = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ Bucket: BUCKET, Key: 'jobs/acme/job01/in.tar', ServerSideEncryption: 'aws:kms' });
    const members = await untar(putBody());
    expect(members.get('in/script.sh')).toMatchObject({ content: 'echo hi\n', mode: 0o644 });
    expect(members.get('in/input.json')?.content).toBe('{"a":1}\n');
    expect(members.get(EnvFilePath)).toMatchObject({ content: "export GREETING='hi'\n", mode: 0o600 });
    expect(members.get('in/')?.type).toBe('directory');
  });

  it('writes an env file that a POSIX shell reads back byte for byte, running nothing in the values', async () => {
    // Arrange
    s3.on(PutObjectCommand).resolves({});
    const tricky = `it's $(touch ${scratch}/pwned) \`id\` "q" \\ $HOME\nsecond line; rm -rf /`;

    // Act
    await workspace().stage({ key: KEY, workspace: {}, env: { TRICKY: tricky, SECRET_TOKEN: 's3cr3t-value' }, timeoutSeconds: 60 });

    // Assert
    const envFile = path.join(scratch, 'env');
    writeFileSync(envFile, (await untar(putBody())).get(EnvFilePath)!.content);
    const read = execFileSync('sh', ['-c', '. "$1"; printf %s "$TRICKY"', 'sh', envFile], { encoding: 'utf8' });
    expect(read).toBe(tricky);
    expect(execFileSync('sh', ['-c', `ls ${scratch}`], { encoding: 'utf8' })).not.toContain('pwned');
  });

  it('refuses an env name a shell cannot export, naming the variable and not its value', async () => {
    // Act
    const error = await workspace()
      .stage({ key: KEY, workspace: {}, env: { 'MY-VAR': 'the-secret-value' }, timeoutSeconds: 60 })
      .catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toContain('MY-VAR');
    expect((error as ValidationError).message).not.toContain('the-secret-value');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it.each([['../escape'], ['/abs/path'], ['out/output.json'], ['.cronium/env']])('refuses the workspace path %s', async (p) => {
    // Act
    const error = await workspace()
      .stage({ key: KEY, workspace: { [p]: 'x' }, env: {}, timeoutSeconds: 60 })
      .catch((e: unknown) => e);

    // Assert
    expect(error).toMatchObject({ code: ErrorCodes.invalidInput });
  });

  it('signs a GET of in/ for 15 minutes and a PUT of out/ for the job timeout plus 15 minutes', async () => {
    // Arrange
    s3.on(PutObjectCommand).resolves({});

    // Act
    const { inUrl, outUrl } = await workspace().stage({ key: KEY, workspace: {}, env: {}, timeoutSeconds: 3600 });

    // Assert
    const get = new URL(inUrl);
    const put = new URL(outUrl);
    expect(get.pathname).toBe('/jobs/acme/job01/in.tar');
    expect(get.hostname).toContain(BUCKET);
    expect(get.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(get.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(put.pathname).toBe('/jobs/acme/job01/out.tar');
    expect(put.searchParams.get('X-Amz-Expires')).toBe(String(3600 + 900));
    expect(put.searchParams.get('x-id')).toBe('PutObject');
  });

  it('keeps each tenant and job in its own folder, whatever characters their ids hold', async () => {
    // Arrange
    s3.on(PutObjectCommand).resolves({});

    // Act
    await workspace().stage({ key: { tenant: '../other', jobId: 'a/b' }, workspace: {}, env: {}, timeoutSeconds: 1 });

    // Assert
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input.Key).toBe('jobs/..%2Fother/a%2Fb/in.tar');
  });

  it('wraps a refused upload in a WorkspaceStoreError with the cause', async () => {
    // Arrange
    const cause = new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } });
    s3.on(PutObjectCommand).rejects(cause);

    // Act
    const error = await workspace()
      .stage({ key: KEY, workspace: {}, env: {}, timeoutSeconds: 1 })
      .catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(WorkspaceStoreError);
    expect((error as Error).cause).toBe(cause);
  });
});

describe('createS3Workspace readOutputs', () => {
  it('returns the three reported files of a tar made by tar -C out -cf - .', async () => {
    // Arrange
    const out = path.join(scratch, 'out');
    mkdirSync(path.join(out, 'sub'), { recursive: true });
    writeFileSync(path.join(out, 'output.json'), '{"answer":42}');
    writeFileSync(path.join(out, 'condition.json'), 'true');
    writeFileSync(path.join(out, 'variables.json'), '{"k":"v"}');
    writeFileSync(path.join(out, 'scratch.txt'), 'ignored');
    writeFileSync(path.join(out, 'sub', 'output.json'), '"not top level"');
    const tar = execFileSync('tar', ['-C', out, '-cf', '-', '.']);
    s3.on(GetObjectCommand, { Bucket: BUCKET, Key: 'jobs/acme/job01/out.tar' }).resolves({ Body: body(tar), ContentLength: tar.length });

    // Act
    const outputs = await workspace().readOutputs(KEY);

    // Assert
    expect(outputs).toEqual({
      files: { 'output.json': '{"answer":42}', 'condition.json': 'true', 'variables.json': '{"k":"v"}' },
    });
  });

  it('reads past links without following them', async () => {
    // Arrange
    const tar = await tarOf([{ name: './output.json', type: 'symlink', linkname: '/etc/passwd' }]);
    s3.on(GetObjectCommand).resolves({ Body: body(tar), ContentLength: tar.length });

    // Act
    const outputs = await workspace().readOutputs(KEY);

    // Assert
    expect(outputs).toEqual({ files: {} });
  });

  it('reports out/ over its size limit without its files, as the other launchers do', async () => {
    // Arrange
    const big = 'x'.repeat(WorkspaceLimits.maxOutBytes);
    const tar = await tarOf([
      { name: './output.json', content: '1' },
      { name: './filler', content: big },
    ]);
    s3.on(GetObjectCommand).resolves({ Body: body(tar), ContentLength: tar.length });

    // Act
    const outputs = await workspace().readOutputs(KEY);

    // Assert
    expect(outputs).toEqual({ files: {}, overLimit: true });
  });

  it('reports a flood of empty files as over the limit', async () => {
    // Arrange
    const tar = await tarOf(Array.from({ length: 1_001 }, (_, i) => ({ name: `./f${i}` })));
    s3.on(GetObjectCommand).resolves({ Body: body(tar), ContentLength: tar.length });

    // Act
    const outputs = await workspace().readOutputs(KEY);

    // Assert
    expect(outputs).toEqual({ files: {}, overLimit: true });
  });

  it('does not read an object larger than the entrypoint ever uploads', async () => {
    // Arrange
    const stream = Readable.from([Buffer.alloc(16)]);
    s3.on(GetObjectCommand).resolves({ Body: stream as never, ContentLength: OutObjectCapBytes + 1 });

    // Act
    const outputs = await workspace().readOutputs(KEY);

    // Assert
    expect(outputs).toEqual({ files: {}, overLimit: true });
    expect(stream.destroyed).toBe(true);
  });

  it('answers undefined when the task uploaded nothing', async () => {
    // Arrange
    s3.on(GetObjectCommand).rejects(new S3ServiceException({ name: 'NoSuchKey', $fault: 'client', $metadata: { httpStatusCode: 404 } }));

    // Act
    const outputs = await workspace().readOutputs(KEY);

    // Assert
    expect(outputs).toBeUndefined();
  });

  it('refuses an upload that is not a tar archive', async () => {
    // Arrange
    const junk = Buffer.from('this is not a tar archive'.repeat(40));
    s3.on(GetObjectCommand).resolves({ Body: body(junk), ContentLength: junk.length });

    // Act
    const error = await workspace()
      .readOutputs(KEY)
      .catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(OutArchiveError);
  });

  it('wraps any other S3 failure with its cause', async () => {
    // Arrange
    const cause = new S3ServiceException({ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500 } });
    s3.on(GetObjectCommand).rejects(cause);

    // Act
    const error = await workspace()
      .readOutputs(KEY)
      .catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(WorkspaceStoreError);
    expect((error as Error).cause).toBe(cause);
  });
});

describe('createS3Workspace remove', () => {
  it('deletes both objects of the job in one request', async () => {
    // Arrange
    s3.on(DeleteObjectsCommand).resolves({});

    // Act
    await workspace().remove(KEY);

    // Assert
    expect(s3.commandCalls(DeleteObjectsCommand)[0]!.args[0].input).toEqual({
      Bucket: BUCKET,
      Delete: { Objects: [{ Key: 'jobs/acme/job01/in.tar' }, { Key: 'jobs/acme/job01/out.tar' }], Quiet: true },
    });
  });

  it('reports an object S3 could not delete', async () => {
    // Arrange
    s3.on(DeleteObjectsCommand).resolves({ Errors: [{ Key: 'jobs/acme/job01/in.tar', Code: 'AccessDenied', Message: 'no' }] });

    // Act
    const error = await workspace()
      .remove(KEY)
      .catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(WorkspaceStoreError);
  });
});
