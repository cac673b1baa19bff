import { ValidationError, WorkspaceLayout } from '../../core';
import type { WorkspaceFiles } from '../../core';
import { HandOff } from './outHandOff';
import { buildTarArchive, type TarEntry } from './tarArchive';

/** The uid/gid the job runs as; of the workspace it owns only `out/`. */
export const JobUser = { uid: 1000, gid: 1000 } as const;

/** Owner of the workspace root and `in/`: the job can read them, not change them. */
const Root = { uid: 0, gid: 0 } as const;

// A ustar name field holds 100 bytes; the contract's paths are far shorter.
const MaxNameBytes = 100;
const segment = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** The directories above a relative path, outermost first: `in/a/b.txt` → `in/`, `in/a/`. */
const parentsOf = (path: string): string[] => {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, i) => `${parts.slice(0, i + 1).join('/')}/`);
};

const checkPath = (path: string): void => {
  const field = `workspace.${path}`;
  if (!path.split('/').every((s) => segment.test(s))) {
    throw new ValidationError(field, 'a workspace path is relative, with segments of letters, digits, "_", "." and "-"');
  }
  if (path === WorkspaceLayout.outDir || path.startsWith(`${WorkspaceLayout.outDir}/`)) {
    throw new ValidationError(field, `${WorkspaceLayout.outDir}/ is the script's to write; the launcher uploads it empty`);
  }
  if (path.startsWith(`${HandOff.dir}/`)) throw new ValidationError(field, `${HandOff.dir}/ is the launcher's own`);
  if (Buffer.byteLength(path, 'utf8') > MaxNameBytes) {
    throw new ValidationError(field, `a workspace path takes at most ${MaxNameBytes} bytes`);
  }
};

/**
 * The tar uploaded into `/workspace` before the container starts: every file of the request's
 * workspace (`in/…`), an empty `out/` (a tmpfs is mounted over it at start) and the hand-off
 * files of outHandOff.ts.
 *
 * Ownership is the read-only half of the contract: `in/` and what is in it belong to root
 * (directories 0755, files 0644), so the job (uid 1000) reads them but cannot change them;
 * `out/` belongs to the job, mode 0700. The engine keeps the owners and modes of the archive
 * when it extracts it into the volume, whose own root-owned root (see buildContainerSpec)
 * keeps the job from renaming or replacing `in/` and `out/` themselves.
 * @throws ValidationError when a path is absolute, climbs out (`..`), lies in `out/` or is too long.
 */
export const buildWorkspaceArchive = (files: WorkspaceFiles, now: Date = new Date()): Buffer => {
  const mtime = Math.floor(now.getTime() / 1000);
  const paths = Object.keys(files).sort();
  paths.forEach(checkPath);
  const dirs = [...new Set(paths.flatMap(parentsOf))].sort();
  // No root entry: the engine skips `.` when it extracts. The volume's root is root-owned
  // because the container spec mounts it with NoCopy.
  const entries: TarEntry[] = [
    ...dirs.map((name): TarEntry => ({ name, mode: 0o755, ...Root, mtime })),
    ...paths.map((name): TarEntry => ({ name, mode: 0o644, content: Buffer.from(files[name]!, 'utf8'), ...Root, mtime })),
    { name: `${WorkspaceLayout.outDir}/`, mode: 0o700, ...JobUser, mtime },
    // Where the wrapper hands out/ over (its tmpfs goes with the container): two files it may
    // rewrite, in a directory of root's, so nothing else can be created on the volume.
    { name: `${HandOff.dir}/`, mode: 0o755, ...Root, mtime },
    { name: `${HandOff.dir}/${HandOff.tar}`, mode: 0o600, content: Buffer.alloc(0), ...JobUser, mtime },
    { name: `${HandOff.dir}/${HandOff.usage}`, mode: 0o600, content: Buffer.alloc(0), ...JobUser, mtime },
  ];
  return buildTarArchive(entries);
};
