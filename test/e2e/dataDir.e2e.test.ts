import { chmod, lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ownTcpListenPorts } from '../helpers/listeningSockets';
import type { Harness } from './harness';
import { apiClient, startHarness, waitForJob } from './harness';

/** Every path under `dir` (itself included, as '.') with its permission bits. */
const modesUnder = async (dir: string): Promise<Map<string, number>> => {
  const modes = new Map<string, number>([['.', (await lstat(dir)).mode & 0o777]]);
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    modes.set(relative(dir, path), (await lstat(path)).mode & 0o777);
  }
  return modes;
};

/** The paths some other account could read, write or enter, with their modes in octal. */
const openToOthers = (modes: Map<string, number>) =>
  [...modes].filter(([, mode]) => (mode & 0o077) !== 0).map(([path, mode]) => `${path} ${mode.toString(8)}`);

describe('the data directory of a running control plane', () => {
  let harness: Harness | undefined;
  let ownDir: string | undefined;
  afterEach(async () => {
    await harness?.close();
    harness = undefined;
    if (ownDir) await rm(ownDir, { recursive: true, force: true });
    ownDir = undefined;
  });

  it('holds nothing that group or others can read after a start and a job, and the store takes no TCP port', async () => {
    const portsBefore = await ownTcpListenPorts();

    harness = await startHarness();
    const { body } = await harness.admin.post('/jobs', { runtime: 'bash', script: 'echo hello' });
    expect((await waitForJob(harness.admin, body.id)).status).toBe('completed');
    const modes = await modesUnder(harness.local.settings.dataDir);

    expect(openToOthers(modes)).toStrictEqual([]);
    expect([...modes.keys()]).toEqual(
      expect.arrayContaining(['.', 'dynamo', 'dynamo.sock', 'secret.key', 'admin-key', 'endpoint', 'instance-id']),
    );
    expect([...modes.keys()].filter((path) => path.startsWith('dynamo/')).length).toBeGreaterThan(0);
    // The gateway is the one TCP listener the control plane opens.
    const gatewayPort = Number(new URL(harness.local.url).port);
    expect(await ownTcpListenPorts()).toStrictEqual([...portsBefore, gatewayPort].sort((a, b) => a - b));
  });

  it('makes an older data directory that was open to all private on start, keeping its data', async () => {
    ownDir = await mkdtemp(join(tmpdir(), 'cronium-e2e-older-'));
    const dataDir = join(ownDir, 'data');
    harness = await startHarness({ CRONIUM_DATA_DIR: dataDir });
    const adminKey = harness.local.adminKey;
    expect((await harness.admin.put('/variables/COLOUR', { value: 'green' })).status).toBe(200);
    await harness.close();
    harness = undefined;
    // As an older runtime (default umask, no tightening) left it; secret.key was always 0600.
    for (const [path] of await modesUnder(dataDir)) {
      if (path !== 'secret.key') await chmod(join(dataDir, path), (await lstat(join(dataDir, path))).isDirectory() ? 0o755 : 0o644);
    }
    expect(openToOthers(await modesUnder(dataDir)).length).toBeGreaterThan(3);

    harness = await startHarness({ CRONIUM_DATA_DIR: dataDir });

    expect(openToOthers(await modesUnder(dataDir))).toStrictEqual([]);
    expect(harness.local.adminKey).toBe(adminKey);
    const again = apiClient(harness.local.url, adminKey);
    expect((await again.get('/variables')).body.items).toEqual([expect.objectContaining({ key: 'COLOUR', value: 'green' })]);
  });
});
