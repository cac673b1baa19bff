import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ControlPlane } from '../core';

export const adminKeyPath = (dataDir: string) => join(dataDir, 'admin-key');

/**
 * The operator key of tenant `default`: created on first start and saved (mode 0600) for the CLI.
 *
 * A saved key from an older data directory (an `admin` key without an id, from when every admin
 * could manage every tenant) is upgraded in place to the `operator` key it effectively was, so it
 * keeps working for everything it did and can now be listed and revoked. A saved key the store
 * does not know (revoked) is left as it is: delete the file and restart for a new one.
 * @returns the key, and whether it was created now (so it is printed once).
 */
export const ensureAdminKey = async (cp: ControlPlane, dataDir: string): Promise<{ key: string; created: boolean }> => {
  const path = adminKeyPath(dataDir);
  const existing = (await readFile(path, 'utf8').catch(() => undefined))?.trim();
  if (existing) {
    await cp.auth.adoptBootstrapKey(existing);
    return { key: existing, created: false };
  }
  const { key } = await cp.auth.issue('default', 'operator');
  await writeFile(path, `${key}\n`, { mode: 0o600 });
  return { key, created: true };
};
