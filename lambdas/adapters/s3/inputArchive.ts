import { pack } from 'tar-stream';
import { ValidationError, WorkspaceLayout } from '../../core';
import type { WorkspaceFiles } from '../../core';
import { buildEnvFile } from './envFile';

/**
 * Where the env file sits in the input archive. The entrypoint sources it in the script's
 * subshell and deletes it before the script starts (runtime-images/scripts/cronium-entrypoint.sh).
 */
export const EnvFilePath = '.cronium/env';

const segment = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

const checkPath = (path: string): void => {
  const field = `workspace.${path}`;
  if (!path.split('/').every((s) => segment.test(s))) {
    throw new ValidationError(field, 'a workspace path is relative, with segments of letters, digits, "_", "." and "-"');
  }
  if (path === WorkspaceLayout.outDir || path.startsWith(`${WorkspaceLayout.outDir}/`)) {
    throw new ValidationError(field, `${WorkspaceLayout.outDir}/ is the script's to write`);
  }
  if (path.startsWith('.cronium/')) throw new ValidationError(field, ".cronium/ is the launcher's own");
};

/** `in/a/b.txt` → `in/`, `in/a/`. */
const parentsOf = (path: string): string[] => {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, i) => `${parts.slice(0, i + 1).join('/')}/`);
};

/**
 * One tar of everything a task needs before its script starts: the workspace's files (`in/…`)
 * and the job's environment (secret values included) as {@link EnvFilePath}, mode 0600.
 * @throws ValidationError when a workspace path is absolute, climbs out, lies in `out/` or
 * `.cronium/`, or when an env name or value cannot be exported (see buildEnvFile).
 */
export const buildInputArchive = async (files: WorkspaceFiles, env: Record<string, string>, now = new Date()): Promise<Buffer> => {
  const paths = Object.keys(files).sort();
  paths.forEach(checkPath);
  const envFile = buildEnvFile(env);
  const dirs = [...new Set([...paths.flatMap(parentsOf), '.cronium/'])].sort();

  const archive = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of archive) chunks.push(chunk as Buffer);
  })();
  for (const name of dirs) archive.entry({ name, type: 'directory', mode: 0o755, mtime: now });
  for (const name of paths) archive.entry({ name, mode: 0o644, mtime: now }, files[name]!);
  archive.entry({ name: EnvFilePath, mode: 0o600, mtime: now }, envFile);
  archive.finalize();
  await collected;
  return Buffer.concat(chunks);
};
