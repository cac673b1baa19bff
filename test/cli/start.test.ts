import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { emptyDir, runCli } from './helpers/runCli';

describe('cronium start', () => {
  it('runs the local control plane with the data directory and listen address from the flags', async () => {
    // Arrange
    const cwd = emptyDir();
    let received: Record<string, string | undefined> | undefined;
    const loadLocalRuntime = async () => ({
      runLocal: async (env?: Record<string, string | undefined>) => {
        received = env;
      },
    });

    // Act
    const result = await runCli(['start', '--data-dir', 'state', '--url', 'http://127.0.0.1:9191'], {
      cwd,
      env: { KEEP: 'me' },
      deps: { loadLocalRuntime },
    });

    // Assert
    expect(result.code).toBe(0);
    expect(received).toMatchObject({
      KEEP: 'me',
      CRONIUM_DATA_DIR: join(cwd, 'state'),
      CRONIUM_HOST: '127.0.0.1',
      CRONIUM_PORT: '9191',
    });
  });

  it('says so when the local control plane module is not installed', async () => {
    // Arrange
    const missing = Object.assign(new Error("Cannot find module '/x/lambdas/local/main'"), { code: 'ERR_MODULE_NOT_FOUND' });

    // Act
    const result = await runCli(['start'], { deps: { loadLocalRuntime: () => Promise.reject(missing) } });

    // Assert
    expect(result).toMatchObject({
      code: 1,
      stderr: 'error: the local control plane (lambdas/local/main) is not part of this installation\n',
    });
  });

  it('reports a failure of the local control plane as an error message', async () => {
    // Arrange
    const runLocal = () => Promise.reject(new Error('CRONIUM_PORT: not a port: 70000'));

    // Act
    const result = await runCli(['start'], { deps: { loadLocalRuntime: async () => ({ runLocal }) } });

    // Assert
    expect(result).toMatchObject({ code: 1, stderr: 'error: CRONIUM_PORT: not a port: 70000\n' });
  });
});
