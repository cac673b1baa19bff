import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
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

/** A port nothing listens on: bound, then released. */
const closedPort = async (): Promise<number> => {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
};

describe('error reporting', () => {
  it('prints the message of an API error body as `error: message` and exits 1, without a stack trace', async () => {
    // Arrange
    server = await startFakeCronium({
      errors: { 'POST /jobs': { status: 400, code: 'invalid_input', message: 'script: must not be empty' } },
    });
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'empty.sh'), '');

    // Act
    const result = await runCli(['--url', server.url, '--api-key', server.apiKey, 'run', 'empty.sh'], { cwd });

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('error: script: must not be empty\n');
  });

  it('reports a rejected API key with the server message', async () => {
    // Arrange
    server = await startFakeCronium();

    // Act
    const result = await runCli(['--url', server.url, '--api-key', 'wrong', 'jobs', 'show', 'job-1']);

    // Assert
    expect(result).toMatchObject({ code: 1, stderr: 'error: missing or invalid API key\n' });
  });

  it('reports a 404 from the API as an error message', async () => {
    // Arrange
    server = await startFakeCronium();

    // Act
    const result = await runCli(['--url', server.url, '--api-key', server.apiKey, 'jobs', 'show', 'nope']);

    // Assert
    expect(result).toMatchObject({ code: 1, stderr: 'error: job nope not found\n' });
  });

  it('says the control plane is not reachable at the URL and how to start one when the connection is refused', async () => {
    // Arrange
    const url = `http://127.0.0.1:${await closedPort()}`;

    // Act
    const result = await runCli(['--url', url, '--api-key', 'k', 'jobs', 'list']);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: the Cronium control plane is not reachable at ${url} (ECONNREFUSED)`);
    expect(result.stderr).toContain('cronium start');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('tells how to get an API key when none is configured', async () => {
    // Arrange
    const cwd = emptyDir();

    // Act
    const result = await runCli(['jobs', 'list'], { cwd });

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no API key: pass --api-key or set CRONIUM_API_KEY');
    expect(result.stderr).toContain(`cronium start`);
    expect(result.stderr).toContain(join(cwd, '.cronium', 'admin-key'));
  });

  it('exits 2 on an unknown command', async () => {
    // Act
    const result = await runCli(['jobz']);

    // Assert
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command 'jobz'");
  });

  it('exits 0 and prints help on stdout for --help', async () => {
    // Act
    const result = await runCli(['--help']);

    // Assert
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: cronium');
  });
});
