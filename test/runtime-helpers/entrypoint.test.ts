/**
 * The runtime images' entrypoint (runtime-images/scripts/cronium-entrypoint.sh) in the real images.
 * Without the presigned-URL variables it must be inert (Docker on one machine); with them it must
 * fetch in/, run the script with the job's env, and upload out/ (Fargate). The S3 step is proven
 * against a small HTTP server on 127.0.0.1, reached from a container on the host network: only in
 * this test; job containers never get it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HelperEnv } from '../../lambdas/adapters/docker';
import { createS3Workspace } from '../../lambdas/adapters/s3';

const Images = ['bash', 'python', 'node'] as const;
const hardened = ['--rm', '--user', '1000:1000', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--read-only'];

const docker = (args: string[], timeout = 60_000) => {
  const r = spawnSync('docker', args, { encoding: 'utf8', timeout });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

/** `docker run` without blocking the event loop (the test's HTTP server must keep answering). */
const dockerAsync = (args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn('docker', args);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

describe('image entrypoint without presigned URLs (Docker)', () => {
  it.each(Images)('cronium/%s declares the Fargate volumes and the entrypoint', (image) => {
    // Act
    const r = docker(['image', 'inspect', '-f', '{{json .Config.Volumes}} {{json .Config.Entrypoint}}', `cronium/${image}`]);

    // Assert
    expect(r.stdout.trim()).toBe('{"/tmp":{},"/workspace":{}} ["/opt/cronium/entrypoint.sh"]');
  });

  it.each(Images)("cronium/%s carries the helpers' environment itself, as a Fargate task has no launcher to set it", (image) => {
    // Act
    const r = docker(['image', 'inspect', '-f', '{{json .Config.Env}}', `cronium/${image}`]);

    // Assert
    const env = JSON.parse(r.stdout) as string[];
    expect(env).toEqual(expect.arrayContaining(Object.entries(HelperEnv).map(([name, value]) => `${name}=${value}`)));
  });

  it.each(Images)('cronium/%s with networking off runs the command as it would without an entrypoint', (image) => {
    // Arrange
    const probe = [
      'sh',
      '-c',
      'echo "args:$0:$1 uid:$(id -u) pwd:$PWD"; ls -A /workspace; env | grep -c "^CRONIUM_" || true; echo err >&2; exit 7',
      'zero',
      'one two',
    ];

    // Act
    const viaEntrypoint = docker(['run', ...hardened, '--network', 'none', `cronium/${image}`, ...probe]);
    const withoutEntrypoint = docker(['run', ...hardened, '--network', 'none', '--entrypoint', '', `cronium/${image}`, ...probe]);

    // Assert
    expect(viaEntrypoint).toEqual({ code: 7, stdout: 'args:zero:one two uid:1000 pwd:/workspace\n0\n', stderr: 'err\n' });
    expect(viaEntrypoint).toEqual(withoutEntrypoint);
  });
});

describe('image entrypoint with presigned URLs (Fargate)', () => {
  const s3 = mockClient(S3Client);
  const workspace = () =>
    createS3Workspace({
      client: new S3Client({ region: 'eu-west-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example' } }),
      bucket: 'cronium-workspace',
    });
  let server: Server;
  let base = '';
  let inTar: Buffer = Buffer.alloc(0);
  let uploads: Buffer[] = [];
  let fetches = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        if (req.method === 'GET' && req.url === '/in.tar?sig=1') {
          fetches += 1;
          res.writeHead(200, { 'content-length': inTar.length }).end(inTar);
        } else if (req.method === 'PUT' && req.url === '/out.tar?sig=2') {
          uploads.push(Buffer.concat(parts));
          res.writeHead(200).end();
        } else res.writeHead(403).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    s3.reset();
    uploads = [];
    fetches = 0;
  });

  /** Stages the job through the real S3 adapter (S3 mocked) and serves what it would have stored. */
  const stage = async (files: Record<string, string>, env: Record<string, string>) => {
    s3.on(PutObjectCommand).resolves({});
    await workspace().stage({ key: { tenant: 'acme', jobId: 'job01' }, workspace: files, env, timeoutSeconds: 60 });
    inTar = s3.commandCalls(PutObjectCommand)[0]!.args[0].input.Body as Buffer;
  };

  const runTask = (image: string, command: string[]) =>
    dockerAsync([
      'run',
      ...hardened,
      '--network',
      'host',
      '-e',
      'CRONIUM_WORKSPACE=/workspace',
      '-e',
      `CRONIUM_IN_URL=${base}/in.tar?sig=1`,
      '-e',
      `CRONIUM_OUT_URL=${base}/out.tar?sig=2`,
      `cronium/${image}`,
      ...command,
    ]);

  it('fetches in/, runs the script with the job env (no URL, no env file left), and uploads out/ that the S3 adapter reads back', async () => {
    // Arrange
    const secret = "s3cr3t 'quoted' $(not run)";
    await stage(
      {
        'in/script.sh': [
          'echo "password=$DB_PASSWORD"',
          'echo "input=$(cat "$CRONIUM_WORKSPACE/in/input.json")"',
          'echo "urls=$(env | grep -c _URL=)"',
          '[ -e "$CRONIUM_WORKSPACE/.cronium" ] && echo env-file-left || echo env-file-gone',
          'touch "$CRONIUM_WORKSPACE/in/x" 2>/dev/null && echo in-writable || echo in-read-only',
          'echo \'{"answer":42}\' > "$CRONIUM_WORKSPACE/out/output.json"',
          'echo true > "$CRONIUM_WORKSPACE/out/condition.json"',
          'exit 3',
        ].join('\n'),
        'in/input.json': '{"n":1}\n',
      },
      { DB_PASSWORD: secret },
    );

    // Act
    const r = await runTask('bash', ['bash', '/workspace/in/script.sh']);

    // Assert
    expect(r.stderr).toBe('');
    expect(r).toMatchObject({ code: 3 });
    expect(r.stdout).toBe(`password=${secret}\ninput={"n":1}\nurls=0\nenv-file-gone\nin-read-only\n`);
    expect(fetches).toBe(1);
    expect(uploads).toHaveLength(1);
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([uploads[0]!]) as never, ContentLength: uploads[0]!.length });
    expect(await workspace().readOutputs({ tenant: 'acme', jobId: 'job01' })).toEqual({
      files: { 'output.json': '{"answer":42}\n', 'condition.json': 'true\n' },
    });
  }, 60_000);

  it('uploads an empty out/ for a script that wrote nothing, in the python image too', async () => {
    // Arrange
    await stage({ 'in/script.py': 'import os\nprint(os.environ["GREETING"])\n' }, { GREETING: 'hello' });

    // Act
    const r = await runTask('python', ['python3', '-u', '/workspace/in/script.py']);

    // Assert
    expect(r).toEqual({ code: 0, stdout: 'hello\n', stderr: '' });
    s3.on(GetObjectCommand).resolves({ Body: Readable.from([uploads[0]!]) as never, ContentLength: uploads[0]!.length });
    expect(await workspace().readOutputs({ tenant: 'acme', jobId: 'job01' })).toEqual({ files: {} });
  }, 60_000);

  it('ends with status 125 before the script runs when in/ cannot be fetched', async () => {
    // Arrange
    const args = [
      'run',
      ...hardened,
      '--network',
      'host',
      '-e',
      `CRONIUM_IN_URL=${base}/missing.tar`,
      '-e',
      `CRONIUM_OUT_URL=${base}/out.tar?sig=2`,
      'cronium/bash',
      'sh',
      '-c',
      'echo script-ran',
    ];

    // Act
    const r = await dockerAsync(args);

    // Assert
    expect(r.code).toBe(125);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('fetching the job workspace failed');
    expect(uploads).toHaveLength(0);
  }, 60_000);
});
