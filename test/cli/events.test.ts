import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeCronium, type FakeCronium } from './helpers/fakeCronium';
import { emptyDir, runCli } from './helpers/runCli';

let server: FakeCronium | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const setup = async () => {
  server = await startFakeCronium({
    plan: () => ({ lines: [{ stream: 'stdout', line: 'nightly done' }], final: { status: 'failed', exitCode: 5 } }),
  });
  const cwd = emptyDir();
  writeFileSync(join(cwd, 'nightly.js'), 'console.log("nightly done")\n');
  const { url, apiKey } = server;
  const cli = (...argv: string[]) => runCli(['--url', url, '--api-key', apiKey, ...argv], { cwd });
  return { fake: server, cli };
};

describe('cronium events', () => {
  it('creates an event from a file and prints its id', async () => {
    // Arrange
    const { fake, cli } = await setup();

    // Act
    const result = await cli('events', 'create', '--name', 'nightly', 'nightly.js', '--timeout', '60');

    // Assert
    expect(result).toMatchObject({ code: 0, stdout: 'ev-1\n' });
    expect(fake.requestsTo('POST', '/events')[0]?.body).toEqual({
      name: 'nightly',
      runtime: 'node',
      script: 'console.log("nightly done")\n',
      timeoutSeconds: 60,
    });
  });

  it('requires --name to create an event', async () => {
    // Arrange
    const { cli } = await setup();

    // Act
    const result = await cli('events', 'create', 'nightly.js');

    // Assert
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--name <name>' not specified");
  });

  it('lists, shows and deletes events', async () => {
    // Arrange
    const { fake, cli } = await setup();
    await cli('events', 'create', '--name', 'nightly', 'nightly.js');

    // Act
    const listed = await cli('events', 'list');
    const shown = await cli('events', 'show', 'ev-1');
    const deleted = await cli('events', 'delete', 'ev-1');
    const after = await cli('events', 'list', '--json');

    // Assert
    expect(listed.stdout).toMatch(/^ID\s+NAME\s+RUNTIME\s+CREATED\nev-1\s+nightly\s+node\s+/);
    expect(shown.stdout).toMatch(/^id:\s+ev-1\nname:\s+nightly\nruntime:\s+node\n[\s\S]*\n\nconsole\.log\("nightly done"\)\n$/);
    expect(deleted).toMatchObject({ code: 0, stderr: 'deleted event ev-1\n' });
    expect(JSON.parse(after.stdout)).toEqual([]);
    expect(fake.requestsTo('DELETE', '/events/ev-1')).toHaveLength(1);
  });

  it('replaces an event definition with update', async () => {
    // Arrange
    const { fake, cli } = await setup();
    await cli('events', 'create', '--name', 'nightly', 'nightly.js');

    // Act
    const result = await cli('events', 'update', 'ev-1', 'nightly.js', '--name', 'renamed');

    // Assert
    expect(result.code).toBe(0);
    expect(fake.requestsTo('PUT', '/events/ev-1')[0]?.body).toMatchObject({ name: 'renamed', runtime: 'node' });
  });

  it('starts a run and prints the job id', async () => {
    // Arrange
    const { fake, cli } = await setup();
    await cli('events', 'create', '--name', 'nightly', 'nightly.js');

    // Act
    const result = await cli('events', 'run', 'ev-1');

    // Assert
    expect(result).toMatchObject({ code: 0, stdout: 'job-2\n' });
    expect(fake.requestsTo('POST', '/events/ev-1/runs')).toHaveLength(1);
  });

  it("follows a run with --follow and exits with the job's exit code", async () => {
    // Arrange
    const { cli } = await setup();
    await cli('events', 'create', '--name', 'nightly', 'nightly.js');

    // Act
    const result = await cli('events', 'run', 'ev-1', '--follow');

    // Assert
    expect(result.code).toBe(5);
    expect(result.stdout).toBe('nightly done\n');
    expect(result.stderr).toContain('job job-2 failed in 1.2s, exit 5');
  });

  it('reports an unknown event', async () => {
    // Arrange
    const { cli } = await setup();

    // Act
    const result = await cli('events', 'run', 'ev-404');

    // Assert
    expect(result).toMatchObject({ code: 1, stderr: 'error: event ev-404 not found\n' });
  });
});
