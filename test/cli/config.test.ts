import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveConfig, webSocketUrl } from '../../bin/cli';
import { startFakeCronium, type FakeCronium } from './helpers/fakeCronium';
import { emptyDir, runCli } from './helpers/runCli';

/** A working directory whose `.cronium` holds the files the local control plane writes. */
const withDataDir = (files: { endpoint?: string; key?: string }, dirName = '.cronium'): string => {
  const cwd = emptyDir();
  mkdirSync(join(cwd, dirName));
  if (files.endpoint !== undefined) writeFileSync(join(cwd, dirName, 'endpoint'), `${files.endpoint}\n`);
  if (files.key !== undefined) writeFileSync(join(cwd, dirName, 'admin-key'), `${files.key}\n`, { mode: 0o600 });
  return cwd;
};

describe('resolveConfig', () => {
  it('prefers the flags over the environment and the data directory', () => {
    // Arrange
    const cwd = withDataDir({ endpoint: 'http://file:1', key: 'file-key' });
    const env = { CRONIUM_URL: 'http://env:2', CRONIUM_API_KEY: 'env-key' };

    // Act
    const config = resolveConfig({ url: 'http://flag:3/', apiKey: 'flag-key' }, env, cwd);

    // Assert
    expect(config).toMatchObject({ url: 'http://flag:3', apiKey: 'flag-key' });
  });

  it('prefers the environment over the data directory files', () => {
    // Arrange
    const cwd = withDataDir({ endpoint: 'http://file:1', key: 'file-key' });

    // Act
    const config = resolveConfig({}, { CRONIUM_URL: 'http://env:2', CRONIUM_API_KEY: 'env-key' }, cwd);

    // Assert
    expect(config).toMatchObject({ url: 'http://env:2', apiKey: 'env-key' });
  });

  it('reads the endpoint and admin key the local control plane wrote in the data directory', () => {
    // Arrange
    const cwd = withDataDir({ endpoint: 'http://127.0.0.1:9999', key: 'file-key' });

    // Act
    const config = resolveConfig({}, {}, cwd);

    // Assert
    expect(config).toMatchObject({ url: 'http://127.0.0.1:9999', apiKey: 'file-key', dataDir: join(cwd, '.cronium') });
  });

  it('falls back to http://127.0.0.1:8080 and no key when nothing is configured', () => {
    // Act
    const config = resolveConfig({}, {}, emptyDir());

    // Assert
    expect(config.url).toBe('http://127.0.0.1:8080');
    expect(config.apiKey).toBeUndefined();
  });

  it('takes the data directory from the flag over CRONIUM_DATA_DIR', () => {
    // Arrange
    const cwd = withDataDir({ key: 'flag-dir-key' }, 'flagdir');
    mkdirSync(join(cwd, 'envdir'));
    writeFileSync(join(cwd, 'envdir', 'admin-key'), 'env-dir-key');

    // Act
    const byFlag = resolveConfig({ dataDir: 'flagdir' }, { CRONIUM_DATA_DIR: 'envdir' }, cwd);
    const byEnv = resolveConfig({}, { CRONIUM_DATA_DIR: 'envdir' }, cwd);

    // Assert
    expect(byFlag.apiKey).toBe('flag-dir-key');
    expect(byEnv.apiKey).toBe('env-dir-key');
  });

  it('rejects a URL that is not http or https', () => {
    expect(() => resolveConfig({ url: 'ftp://x' }, {}, emptyDir())).toThrow(/expected http or https/);
  });

  it('takes the WebSocket API URL from CRONIUM_WS_URL, and refuses one that is not ws or wss', () => {
    const ws = 'wss://def456.execute-api.eu-west-1.amazonaws.com/prod';
    expect(resolveConfig({}, { CRONIUM_WS_URL: ws }, emptyDir()).wsUrl).toBe(ws);
    expect(resolveConfig({}, {}, emptyDir()).wsUrl).toBeUndefined();
    expect(() => resolveConfig({}, { CRONIUM_WS_URL: 'https://x' }, emptyDir())).toThrow(/invalid CRONIUM_WS_URL/);
  });
});

describe('webSocketUrl', () => {
  it('derives ws:// from http:// with path /ws and the key as token', () => {
    expect(webSocketUrl('http://127.0.0.1:8080', 'k/1')).toBe('ws://127.0.0.1:8080/ws?token=k%2F1');
  });

  it('derives wss:// from https:// and keeps a base path', () => {
    expect(webSocketUrl('https://api.example.com/cronium', 'k')).toBe('wss://api.example.com/cronium/ws?token=k');
  });

  it("uses the WebSocket API's own URL as it is, with the key as token", () => {
    expect(webSocketUrl('https://abc.example.com/prod', 'k', 'wss://def.example.com/prod')).toBe('wss://def.example.com/prod?token=k');
  });
});

describe('configuration from the data directory, end to end', () => {
  let server: FakeCronium | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('reaches the control plane named in <data dir>/endpoint with the key in <data dir>/admin-key', async () => {
    // Arrange
    server = await startFakeCronium();
    const cwd = withDataDir({ endpoint: server.url, key: server.apiKey });

    // Act
    const result = await runCli(['jobs', 'list'], { cwd, env: {} });

    // Assert
    expect(result.code).toBe(0);
    expect(server.requestsTo('GET', '/jobs')[0]?.authorization).toBe(`Bearer ${server.apiKey}`);
  });

  it('uses CRONIUM_URL and CRONIUM_API_KEY from the environment', async () => {
    // Arrange
    server = await startFakeCronium();

    // Act
    const result = await runCli(['jobs', 'list'], { env: { CRONIUM_URL: server.url, CRONIUM_API_KEY: server.apiKey } });

    // Assert
    expect(result.code).toBe(0);
    expect(server.requestsTo('GET', '/jobs')).toHaveLength(1);
  });
});
