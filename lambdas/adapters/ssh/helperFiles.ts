import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `<repo>/runtime-images/helpers`, seen from this file. */
export const DefaultHelpersDir = fileURLToPath(new URL('../../../runtime-images/helpers', import.meta.url));

/** A file to upload, by path relative to the workspace root. */
export interface UploadFile {
  path: string;
  content: Buffer;
  mode: number;
}

/** The helpers as they go into a workspace, and what the script's environment needs to find them. */
export interface HelperBundle {
  files: UploadFile[];
  /** Set `BASH_ENV` to `<ws>/lib/cronium.sh`. */
  bashEnv: boolean;
  /** Put `<ws>/lib/python` on `PYTHONPATH`. */
  pythonPath: boolean;
}

/**
 * Where a helper goes, mirroring the images: `cronium.sh` into `lib/` (sourced through BASH_ENV),
 * Python modules into `lib/python/` (on PYTHONPATH), and the `node/` package into
 * `node_modules/cronium/` (an ancestor `node_modules` of `in/script.js`, so `require('cronium')`
 * and `import … from 'cronium'` resolve). Documentation stays behind.
 */
const placeOf = (name: string, inNodeDir: boolean): string | undefined => {
  if (name.endsWith('.md')) return undefined;
  if (inNodeDir) return `node_modules/cronium/${name}`;
  if (name.endsWith('.py')) return `lib/python/${name}`;
  return `lib/${name}`;
};

const regularFiles = async (dir: string): Promise<string[]> => {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile() && !e.name.startsWith('.')).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
};

/**
 * Reads the runtime helpers from `dir` (`cronium.sh`, `cronium.py`, `node/…`) and places them for
 * upload. A missing directory gives an empty bundle. Read for each run: the files are small, and a
 * change to them applies without a restart.
 */
export const loadHelpers = async (dir: string): Promise<HelperBundle> => {
  const sources = [
    ...(await regularFiles(dir)).map((name) => ({ from: join(dir, name), to: placeOf(name, false) })),
    ...(await regularFiles(join(dir, 'node'))).map((name) => ({ from: join(dir, 'node', name), to: placeOf(name, true) })),
  ];
  const files = await Promise.all(
    sources
      .filter((s): s is { from: string; to: string } => s.to !== undefined)
      .map(async ({ from, to }) => ({ path: to, content: await readFile(from), mode: 0o400 })),
  );
  const has = (path: string) => files.some((f) => f.path === path);
  return { files, bashEnv: has('lib/cronium.sh'), pythonPath: files.some((f) => f.path.startsWith('lib/python/')) };
};
