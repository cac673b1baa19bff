import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
/** A `docker` that answers `buildx imagetools inspect REF --format '{{json .Manifest}}'` from ./digests and logs every call. */
const FAKE_DOCKER = `#!/bin/sh
echo "$*" >> "$FAKE_DOCKER_DIR/calls"
[ "$1 $2 $3 $5 $6" = "buildx imagetools inspect --format {{json .Manifest}}" ] || { echo "unexpected call: $*" >&2; exit 2; }
d=$(awk -v r="$4" '$1 == r { print $2 }' "$FAKE_DOCKER_DIR/digests")
[ -n "$d" ] || { echo "ERROR: $4: not found" >&2; exit 1; }
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","digest":"%s","size":1609}\\n' "$d"
`;

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A project directory (cwd of the command) with a fake docker first on PATH that knows `digests`. */
const setUp = (digests: Record<string, string>, files: Record<string, unknown> = {}) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'cronium-pin-bases-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'docker'), FAKE_DOCKER);
  chmodSync(path.join(dir, 'docker'), 0o755);
  const setDigests = (d: Record<string, string>) =>
    writeFileSync(
      path.join(dir, 'digests'),
      Object.entries(d)
        .map(([ref, dg]) => `${ref} ${dg}\n`)
        .join(''),
    );
  setDigests(digests);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), JSON.stringify(content));
  const runWith = async (pathVar: string, args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(
        process.execPath,
        ['--import', import.meta.resolve('tsx'), path.join(PROJECT_ROOT, 'bin/pinBases.ts'), ...args],
        { cwd: dir, env: { ...process.env, PATH: pathVar, FAKE_DOCKER_DIR: dir } },
      );
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const run = (...args: string[]) => runWith(`${dir}:${process.env.PATH ?? ''}`, args);
  const lock = () => JSON.parse(readFileSync(path.join(dir, 'cdk.context.json'), 'utf8')) as Record<string, unknown>;
  const calls = () => (existsSync(path.join(dir, 'calls')) ? readFileSync(path.join(dir, 'calls'), 'utf8').trim().split('\n') : []);
  const inspected = () => calls().map((c) => c.split(' ')[3]);
  return { dir, run, runWith, lock, inspected, setDigests };
};

const DEFAULTS = { 'debian:bookworm-slim': digest('a'), 'python:3.12-slim-bookworm': digest('b'), 'node:22-bookworm-slim': digest('c') };

describe('npm run pin-bases', () => {
  it("pins each Dockerfile's default base to its index digest in cdk.context.json, keeping the other keys", async () => {
    // Arrange
    const other = { 'availability-zones:account=123456789012:region=eu-west-1': ['eu-west-1a'], 'cronium:jobArchitecture': 'x86_64' };
    const { run, lock } = setUp(DEFAULTS, { 'cdk.context.json': other });

    // Act
    const result = await run();

    // Assert
    expect(result.code).toBe(0);
    expect(lock()).toEqual({
      ...other,
      'cronium:imageBase:bash': `debian:bookworm-slim@${digest('a')}`,
      'cronium:imageBase:python': `python:3.12-slim-bookworm@${digest('b')}`,
      'cronium:imageBase:node': `node:22-bookworm-slim@${digest('c')}`,
    });
  });

  it('leaves a base already given as a digest alone and does not ask docker about it', async () => {
    // Arrange
    const pinned = `python:3.12-slim-bookworm@${digest('f')}`;
    const { run, lock, inspected } = setUp(DEFAULTS, { 'cdk.context.json': { 'cronium:imageBase:python': pinned } });

    // Act
    const result = await run();

    // Assert
    expect(result.code).toBe(0);
    expect(lock()['cronium:imageBase:python']).toBe(pinned);
    expect(lock()['cronium:imageBase:bash']).toBe(`debian:bookworm-slim@${digest('a')}`);
    expect(inspected().sort()).toEqual(['debian:bookworm-slim', 'node:22-bookworm-slim']);
  });

  it('re-resolves every pinned base from its tag with --refresh', async () => {
    // Arrange
    const { run, lock, setDigests } = setUp(DEFAULTS);
    await run();
    setDigests({ ...DEFAULTS, 'python:3.12-slim-bookworm': digest('d') });

    // Act
    const again = await run();
    const unchanged = lock()['cronium:imageBase:python'];
    const refreshed = await run('--refresh');

    // Assert
    expect([again.code, refreshed.code]).toEqual([0, 0]);
    expect(unchanged).toBe(`python:3.12-slim-bookworm@${digest('b')}`);
    expect(lock()['cronium:imageBase:python']).toBe(`python:3.12-slim-bookworm@${digest('d')}`);
    expect(lock()['cronium:imageBase:node']).toBe(`node:22-bookworm-slim@${digest('c')}`);
  });

  it('pins a tag given in context: -c on its command line, or the common base of cdk.json', async () => {
    // Arrange
    const { run, lock } = setUp(
      { ...DEFAULTS, 'node:24-bookworm-slim': digest('e'), '127.0.0.1:5000/cronium-base:bookworm': digest('9') },
      { 'cdk.json': { context: { 'cronium:imageBase': '127.0.0.1:5000/cronium-base:bookworm' } } },
    );

    // Act
    const result = await run('-c', 'cronium:imageBase:node=node:24-bookworm-slim');

    // Assert
    expect(result.code).toBe(0);
    expect(lock()).toEqual({
      'cronium:imageBase:bash': `127.0.0.1:5000/cronium-base:bookworm@${digest('9')}`,
      'cronium:imageBase:python': `127.0.0.1:5000/cronium-base:bookworm@${digest('9')}`,
      'cronium:imageBase:node': `node:24-bookworm-slim@${digest('e')}`,
    });
  });

  it('pins a common base given with -c over the pins cdk.context.json holds', async () => {
    // Arrange
    const base = '127.0.0.1:5000/cronium-base:bookworm';
    const { run, lock } = setUp({ ...DEFAULTS, [base]: digest('9') });
    await run();

    // Act
    const result = await run('-c', `cronium:imageBase=${base}`);

    // Assert
    expect(result.code).toBe(0);
    expect(lock()).toEqual({
      'cronium:imageBase:bash': `${base}@${digest('9')}`,
      'cronium:imageBase:python': `${base}@${digest('9')}`,
      'cronium:imageBase:node': `${base}@${digest('9')}`,
    });
  });

  it('exits non-zero naming the image and the docker error, and writes nothing, when a base does not resolve', async () => {
    // Arrange
    const { dir, run } = setUp({ 'debian:bookworm-slim': digest('a'), 'node:22-bookworm-slim': digest('c') });

    // Act
    const result = await run();

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('pin-bases: cannot resolve python:3.12-slim-bookworm: ERROR: python:3.12-slim-bookworm: not found\n');
    expect(existsSync(path.join(dir, 'cdk.context.json'))).toBe(false);
  });

  it('says so when there is no docker to ask', async () => {
    // Arrange: a PATH holding only an empty directory
    const { dir, runWith } = setUp(DEFAULTS);
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);

    // Act
    const result = await runWith(empty, []);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^pin-bases: cannot resolve \S+: docker is not on PATH\n$/);
    expect(existsSync(path.join(dir, 'cdk.context.json'))).toBe(false);
  });
});
