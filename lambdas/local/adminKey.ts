import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ControlPlane } from '../core';

export const adminKeyPath = (dataDir: string) => join(dataDir, 'admin-key');

/**
 * The admin key of tenant `default`: created on first start and saved (mode 0600) for the CLI.
 * @returns the key, and whether it was created now (so it is printed once).
 */
export const ensureAdminKey = async (cp: ControlPlane, dataDir: string): Promise<{ key: string; created: boolean }> => {
  const path = adminKeyPath(dataDir);
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing?.trim()) return { key: existing.trim(), created: false };
  const { key } = await cp.auth.issue('default', 'admin');
  await writeFile(path, `${key}\n`, { mode: 0o600 });
  return { key, created: true };
};
