import { PassThrough } from 'node:stream';
import Docker from 'dockerode';
import { afterEach, describe, expect, it } from 'vitest';
import { ExecutionFollowError, UnsupportedJobError } from '../../../lambdas/adapters/docker';
import { ErrorCodes } from '../../../lambdas/core/errors';
import { WorkspaceLayout, WorkspaceLimits } from '../../../lambdas/core/workspace/workspaceContract';
import { managedContainersOf, waitForContainerExit } from './dockerProbe';
import { createFakeExecutionEvents } from './fakeExecutionEvents';
import { createLauncherHarness } from './launcherHarness';
import { requestFactory } from './requestFactory';

const h = createLauncherHarness();
afterEach(() => h.cleanup());

/** A real engine client whose containers answer getArchive as `getArchive` says (fault injection). */
const dockerWithGetArchive = (getArchive: () => Promise<NodeJS.ReadableStream>): Docker => {
  const docker = new Docker();
  const getContainer = docker.getContainer.bind(docker);
  docker.getContainer = (id: string) => Object.assign(getContainer(id), { getArchive });
  return docker;
};

const engineError = (statusCode: number, message: string) => Object.assign(new Error(message), { statusCode });

describe('docker launcher: workspace contract', () => {
  it('uploads every workspace file with its content: in/ owned by root (0755/0644), out/ by the job with mode 0700', async () => {
    // Arrange
    const { fake, run } = h.setup();
    const job = h.job({
      runtime: 'bash',
      input: { rows: [1, 2], note: 'héllo' },
      script: [
        'stat -c "%n %u:%g %a" /workspace /workspace/in /workspace/in/* /workspace/out',
        'cat /workspace/in/input.json /workspace/in/context.json /workspace/in/variables.json',
      ].join('\n'),
    });
    const variables = { greeting: 'hi', limits: { max: 3 } };
    const request = requestFactory(job, { variables });

    // Act
    const { exit } = await run(job, { variables });

    // Assert
    expect(fake.textOf(job.id, 'stdout')).toEqual([
      '/workspace 0:0 755',
      '/workspace/in 0:0 755',
      '/workspace/in/context.json 0:0 644',
      '/workspace/in/input.json 0:0 644',
      '/workspace/in/script.sh 0:0 644',
      '/workspace/in/variables.json 0:0 644',
      '/workspace/out 1000:1000 700',
      ...[WorkspaceLayout.input, WorkspaceLayout.context, WorkspaceLayout.variables].map((p) => request.workspace[p]!.trimEnd()),
    ]);
    expect(JSON.parse(request.workspace[WorkspaceLayout.context]!)).toMatchObject({ jobId: job.id, tenant: job.tenant });
    expect(exit.exitCode).toBe(0);
  });

  it('lets the script read in/ but not change, add, remove or move anything there, and write out/', async () => {
    // Arrange
    const { fake, run } = h.setup();
    const job = h.job({
      runtime: 'bash',
      input: { original: true },
      script: [
        'attempt() { if eval "$1" 2>/dev/null; then echo "allowed: $1"; else echo "denied: $1"; fi; }',
        'attempt "echo x > /workspace/in/new"',
        'attempt "echo x >> /workspace/in/input.json"',
        'attempt "rm -f /workspace/in/input.json"',
        'attempt "chmod 666 /workspace/in/input.json"',
        'attempt "mkdir /workspace/in/sub"',
        'attempt "mv /workspace/in /workspace/elsewhere"',
        'attempt "echo x > /workspace/stray"',
        'attempt "echo 1 > /workspace/out/output.json"',
        'cat /workspace/in/input.json',
      ].join('\n'),
    });

    // Act
    const { exit } = await run(job);

    // Assert
    expect(fake.textOf(job.id, 'stdout')).toEqual([
      'denied: echo x > /workspace/in/new',
      'denied: echo x >> /workspace/in/input.json',
      'denied: rm -f /workspace/in/input.json',
      'denied: chmod 666 /workspace/in/input.json',
      'denied: mkdir /workspace/in/sub',
      'denied: mv /workspace/in /workspace/elsewhere',
      'denied: echo x > /workspace/stray',
      'allowed: echo 1 > /workspace/out/output.json',
      '{"original":true}',
    ]);
    expect(exit.outputs).toEqual({ files: { 'output.json': '1\n' } });
  });

  it('reports output.json, condition.json and variables.json from out/ as text, ignoring other files and subdirectories', async () => {
    // Arrange
    const { run } = h.setup();
    const job = h.job({
      runtime: 'python',
      script: [
        'import json, os',
        'out = os.path.join(os.environ["CRONIUM_WORKSPACE"], "out")',
        'with open(f"{out}/output.json", "w") as f: json.dump({"rows": 3, "note": "héllo"}, f, ensure_ascii=False)',
        'with open(f"{out}/condition.json", "w") as f: f.write("true")',
        'with open(f"{out}/variables.json", "w") as f: json.dump({"last_run": "today"}, f)',
        'with open(f"{out}/notes.txt", "w") as f: f.write("not reported")',
        'os.mkdir(f"{out}/sub")',
        'with open(f"{out}/sub/output.json", "w") as f: f.write("\\"nested\\"")',
        'os.symlink("/etc/passwd", f"{out}/linked.json")',
      ].join('\n'),
    });

    // Act
    const { exit } = await run(job);

    // Assert
    expect(exit).toEqual({
      exitCode: 0,
      oomKilled: false,
      timedOut: false,
      outputs: {
        files: {
          'output.json': '{"rows": 3, "note": "héllo"}',
          'condition.json': 'true',
          'variables.json': '{"last_run": "today"}',
        },
      },
    });
    expect(await h.containersLeft([job.id])).toEqual([]);
  });

  it('does not follow a link the script left in out/ in place of a result file', async () => {
    // Arrange
    const { run } = h.setup();
    const job = h.job({ runtime: 'bash', script: 'ln -s /etc/passwd /workspace/out/output.json' });

    // Act
    const { exit } = await run(job);

    // Assert
    expect(exit.outputs).toEqual({ files: {} });
  });

  it('reports overLimit, and still the exit, when out/ holds more than 1 MiB', async () => {
    // Arrange
    const { run } = h.setup();
    const job = h.job({
      runtime: 'bash',
      script: 'echo \'"small"\' > /workspace/out/output.json\nhead -c 1100000 /dev/zero > /workspace/out/big.bin\nexit 3',
    });

    // Act
    const { exit } = await run(job);

    // Assert
    expect(exit).toEqual({ exitCode: 3, oomKilled: false, timedOut: false, outputs: { files: {}, overLimit: true } });
    expect(h.errors).toEqual([]);
    expect(await h.containersLeft([job.id])).toEqual([]);
  });

  it('reads back an output.json of exactly 1 MiB', async () => {
    // Arrange
    const { run } = h.setup();
    const size = WorkspaceLimits.maxOutBytes;
    const job = h.job({
      runtime: 'python',
      script: `with open("/workspace/out/output.json", "w") as f: f.write('"' + "x" * ${size - 2} + '"')`,
    });

    // Act
    const { exit } = await run(job);

    // Assert
    expect(exit.outputs?.overLimit).toBeUndefined();
    expect(exit.outputs?.files['output.json']).toHaveLength(size);
  });

  it('reports what a script wrote to out/ before it was killed at its deadline', async () => {
    // Arrange
    const { fake, launcher } = h.setup();
    // The wrapper packs out/ just before the deadline it expects from timeoutSeconds at create.
    const job = h.job({ runtime: 'bash', timeoutSeconds: 4, script: 'echo 42 > /workspace/out/output.json; echo written; sleep 30' });
    const ref = await launcher.create(requestFactory(job));

    // Act
    await launcher.start(ref, { ...job, deadlineAt: Date.now() + 4_000 });
    const exit = await fake.waitForExit(job.id, 10_000);

    // Assert
    expect(exit.report).toEqual({ exitCode: 137, oomKilled: false, timedOut: true, outputs: { files: { 'output.json': '42\n' } } });
  });

  it('reports the outputs of a container that exited while nobody followed it', async () => {
    // Arrange
    const fakeA = createFakeExecutionEvents();
    const a = h.launcher({ events: fakeA.events });
    const job = h.job({ runtime: 'bash', script: 'echo up; sleep 0.5; echo \'{"late":true}\' > /workspace/out/output.json' });
    const ref = await a.create(requestFactory(job));
    await a.start(ref, job);
    await fakeA.waitFor(() => fakeA.textOf(job.id).includes('up'), 10_000, 'job up');
    await a.close();
    await waitForContainerExit(ref);

    // Act
    const fakeB = createFakeExecutionEvents();
    const b = h.launcher({ events: fakeB.events });
    await b.reattach(ref, job, fakeA.lastTokenOf(job.id));
    const exit = await fakeB.waitForExit(job.id, 10_000);

    // Assert
    expect(exit.report.outputs).toEqual({ files: { 'output.json': '{"late":true}\n' } });
    expect(await h.containersLeft([job.id])).toEqual([]);
  });

  it('passes the resolved env of the request, not the job’s variable references, with the helper variables', async () => {
    // Arrange
    const { fake, run } = h.setup();
    const job = h.job({
      runtime: 'bash',
      env: { GREETING: { fromVariable: 'greeting' } },
      script: 'echo "$GREETING|$API_TOKEN|$CRONIUM_WORKSPACE|$BASH_ENV|$PYTHONPATH|$PYTHONUNBUFFERED"',
    });

    // Act
    await run(job, { env: { GREETING: 'hello', API_TOKEN: 's3cr3t-value', CRONIUM_WORKSPACE: '/elsewhere' } });

    // Assert
    expect(fake.textOf(job.id)).toEqual(['hello|s3cr3t-value|/workspace|/opt/cronium/cronium.sh|/opt/cronium/python|1']);
  });

  it('rejects an http job at create with a launch error and creates no container', async () => {
    // Arrange
    const { launcher } = h.setup();
    const job = h.job({
      runtime: 'http',
      http: { method: 'GET', url: 'https://example.com/', headers: {}, timeoutMs: 1_000 },
    });

    // Act
    const error = await launcher.create(requestFactory(job)).catch((e: unknown) => e);

    // Assert
    expect(error).toBeInstanceOf(UnsupportedJobError);
    expect(error).toMatchObject({ code: ErrorCodes.launchFailed, reason: 'not_a_script_job' });
    expect(await managedContainersOf([job.id])).toEqual([]);
  });

  it('rejects a script job whose workspace lacks its script file', async () => {
    // Arrange
    const { launcher } = h.setup();
    const job = h.job({ runtime: 'python', script: 'print(1)' });

    // Act
    const error = await launcher
      .create(requestFactory(job, { workspace: { [WorkspaceLayout.scriptFile.bash]: 'echo wrong runtime' } }))
      .catch((e: unknown) => e);

    // Assert
    expect(error).toMatchObject({ code: ErrorCodes.launchFailed, reason: 'no_script' });
    expect(await managedContainersOf([job.id])).toEqual([]);
  });

  it('reports the exit without outputs and logs why when out/ cannot be read', async () => {
    // Arrange
    const failing = dockerWithGetArchive(() => Promise.reject(engineError(500, 'engine broke')));
    const { run } = h.setup(undefined, { docker: failing });
    const job = h.job({ runtime: 'bash', script: 'echo 1 > /workspace/out/output.json' });

    // Act
    const { exit } = await run(job);

    // Assert
    expect(exit).toEqual({ exitCode: 0, oomKilled: false, timedOut: false });
    expect(h.errors).toHaveLength(1);
    expect(h.errors[0]).toBeInstanceOf(ExecutionFollowError);
    expect(h.errors[0]).toMatchObject({ phase: 'outputs', jobId: job.id });
    expect(await h.containersLeft([job.id])).toEqual([]);
  });

  it('gives up reading out/ after its timeout, so a stuck engine cannot hold the exit report', async () => {
    // Arrange: the engine answers, then never sends a byte
    const stuck = dockerWithGetArchive(async () => new PassThrough());
    const { run } = h.setup(undefined, { docker: stuck, outputsTimeoutMs: 300 });
    const job = h.job({ runtime: 'bash', script: 'exit 0' });

    // Act
    const { exit } = await run(job);

    // Assert
    expect(exit.outputs).toBeUndefined();
    expect(h.errors.map((e) => e.phase)).toEqual(['outputs']);
  });

  it('reports no outputs, and no error, when there is no out/ to read', async () => {
    // Arrange: the engine's answer for a path (or a container) that is not there
    const missing = dockerWithGetArchive(() => Promise.reject(engineError(404, 'Could not find the file /workspace/out')));
    const { run } = h.setup(undefined, { docker: missing });
    const job = h.job({ runtime: 'bash', script: 'exit 0' });

    // Act
    const { exit } = await run(job);

    // Assert
    expect(exit).toEqual({ exitCode: 0, oomKilled: false, timedOut: false });
    expect(h.errors).toEqual([]);
  });
});
