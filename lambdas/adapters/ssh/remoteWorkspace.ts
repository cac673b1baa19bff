import { posix } from 'node:path';
import type { Client } from 'ssh2';
import type { WorkspaceFiles, WorkspaceOutputs } from '../../core';
import { isReportedFile, WorkspaceLayout, WorkspaceLimits } from '../../core';
import { runCommand } from './channels';
import { InvalidExecutionError, SshLaunchError } from './errors';
import type { UploadFile } from './helperFiles';
import { makeWorkspaceCommand, removeWorkspaceCommand, WorkspaceDirs } from './remoteScripts';
import type { SftpOps } from './sftpOps';

const SafeSegment = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/**
 * The `in/` files as upload entries (0400: `in/` is read-only to the script).
 * @throws InvalidExecutionError for a path that is absolute, climbs out, or is not under `in/`.
 */
export const workspaceUploads = (workspace: WorkspaceFiles): UploadFile[] =>
  Object.entries(workspace).map(([path, content]) => {
    const segments = path.split('/');
    if (segments[0] !== 'in' || segments.length < 2 || !segments.slice(1).every((s) => SafeSegment.test(s))) {
      throw new InvalidExecutionError(`workspace.${path}`, 'paths must be relative, under in/, of letters, digits, . _ -');
    }
    return { path, content: Buffer.from(content, 'utf8'), mode: 0o400 };
  });

/**
 * Makes a private workspace with `mktemp -d` and its fixed subdirectories.
 * @returns its absolute path.
 * @throws SshLaunchError when the command fails or prints no usable path; SshChannelError.
 */
export const makeWorkspace = async (client: Client, serverId: string, timeoutMs: number): Promise<string> => {
  const result = await runCommand(client, makeWorkspaceCommand(), { serverId, timeoutMs });
  const ws = result.stdout.trim();
  if (result.code !== 0 || !ws.startsWith('/') || /[\n\0]/.test(ws)) {
    const ended = result.signal
      ? `killed by SIG${result.signal}`
      : result.code === null
        ? 'no exit status (session closed)'
        : `exit status ${result.code}`;
    const detail = result.stderr.trim().slice(0, 300) || ended;
    throw new SshLaunchError(serverId, 'workspace', `mktemp -d failed: ${detail}`);
  }
  return ws;
};

/**
 * Uploads the workspace files over SFTP into `ws` (made by makeWorkspace), after checking it
 * is a private directory, then makes `in/` read-only.
 * @throws SshLaunchError when `ws` is not a 0700 directory; the SFTP error otherwise.
 */
export const uploadWorkspace = async (sftp: SftpOps, ws: string, files: UploadFile[], serverId: string) => {
  const st = await sftp.lstat(ws);
  if (!st.isDirectory() || (st.mode & 0o777) !== 0o700) {
    throw new SshLaunchError(serverId, 'workspace', `${ws} is not a private directory (mode ${(st.mode & 0o7777).toString(8)})`);
  }
  const known = new Set(WorkspaceDirs);
  const dirs = [...new Set(files.flatMap((f) => parentsOf(f.path)))].filter((d) => !known.has(d));
  dirs.sort((a, b) => a.split('/').length - b.split('/').length);
  for (const d of dirs) await sftp.mkdir(`${ws}/${d}`, 0o700);
  await Promise.all(files.map((f) => sftp.writeFile(`${ws}/${f.path}`, f.content, f.mode)));
  for (const d of dirs.filter((x) => x.startsWith('in/')).reverse()) await sftp.chmod(`${ws}/${d}`, 0o500);
  await sftp.chmod(`${ws}/in`, 0o500);
};

/** `a/b/c.txt` → `a`, `a/b`. */
const parentsOf = (path: string): string[] => {
  const out: string[] = [];
  for (let d = posix.dirname(path); d !== '.' && d !== '/'; d = posix.dirname(d)) out.unshift(d);
  return out;
};

/**
 * Reads back what the script left in `out/`: the top-level regular files `output.json`,
 * `condition.json`, `variables.json` as UTF-8 text. Links are never followed. When `out/`
 * holds more than `maxBytes` of file data in all (or more than WorkspaceLimits.maxOutEntries entries), nothing
 * is read and the result says `overLimit`.
 * @returns undefined when there is no `out/` any more.
 */
export const readOutputs = async (sftp: SftpOps, ws: string, maxBytes: number): Promise<WorkspaceOutputs | undefined> => {
  const outDir = `${ws}/${WorkspaceLayout.outDir}`;
  let top;
  try {
    top = await sftp.readdir(outDir);
  } catch {
    return undefined;
  }
  let bytes = 0;
  let entries = 0;
  const over = () => bytes > maxBytes || entries > WorkspaceLimits.maxOutEntries;
  const walk = async (list: typeof top, dir: string): Promise<void> => {
    for (const e of list) {
      entries++;
      if (e.attrs.isFile()) bytes += e.attrs.size;
      if (over()) return;
      if (e.attrs.isDirectory()) {
        const inner = await sftp.readdir(`${dir}/${e.filename}`).catch(() => []);
        await walk(inner, `${dir}/${e.filename}`);
        if (over()) return;
      }
    }
  };
  await walk(top, outDir);
  if (over()) return { files: {}, overLimit: true };

  const files: Record<string, string> = {};
  for (const e of top) {
    if (!isReportedFile(e.filename) || !e.attrs.isFile()) continue;
    files[e.filename] = (await sftp.readBounded(`${outDir}/${e.filename}`, maxBytes)).toString('utf8');
  }
  return { files };
};

/**
 * Removes a workspace.
 * @returns whether the directory is gone.
 */
export const removeWorkspace = async (client: Client, ws: string, o: { serverId: string; timeoutMs: number }): Promise<boolean> => {
  const result = await runCommand(client, removeWorkspaceCommand(ws), o);
  return result.code === 0;
};
