import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * This data directory's instance id, made on first start. Containers carry it as a label, so two
 * control planes on one Docker engine (two data directories) never take each other's containers
 * for orphans, while a restart with the same directory finds its own.
 */
export const ensureInstanceId = async (dataDir: string): Promise<string> => {
  const path = join(dataDir, 'instance-id');
  const existing = (await readFile(path, 'utf8').catch(() => '')).trim();
  if (existing) return existing;
  const id = randomBytes(8).toString('hex');
  await writeFile(path, `${id}\n`, { mode: 0o600 });
  return id;
};
