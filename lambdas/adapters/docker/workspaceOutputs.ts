import type Docker from 'dockerode';
import { ErrorCodes, isReportedFile, WorkspaceLimits } from '../../core';
import type { ExitReport, WorkspaceOutputs } from '../../core';
import { isNoSuchContainer } from './engineErrors';
import { HandOff, HandOffTarCapBytes } from './outHandOff';
import { readTar, type TarReadLimits } from './tarReader';
import { WorkspacePath } from './workspacePath';

/** Options of readWorkspaceOutputs. */
export interface ReadWorkspaceOutputsOptions {
  /** Aborting stops the read (the caller is shutting down); it then rejects. */
  signal: AbortSignal;
  /** The read gives up (rejects) after this long, so a stuck engine cannot hold the exit report. */
  timeoutMs: number;
}

/** What the launcher learns from `out/` after the exit: its files, and whether it was full. */
export type WorkspaceReadBack = Pick<ExitReport, 'outputs' | 'failure'>;

const MiB = 1024 * 1024;
const OutLimits: TarReadLimits = { maxContentBytes: WorkspaceLimits.maxOutBytes, maxEntries: WorkspaceLimits.maxOutEntries };
// The hand-off directory: the wrapper's tar (capped) and a one-line usage record; the job may have
// written either itself, so both are read within limits too.
const HandOffLimits: TarReadLimits = { maxContentBytes: HandOffTarCapBytes + 4096, maxEntries: 4 };

async function* oneChunk(buffer: Buffer): AsyncGenerator<Buffer> {
  yield buffer;
}

/** The `out/` files of the wrapper's tar; empty when the wrapper never packed it (killed first). */
const outputsOf = async (packed: Buffer | undefined): Promise<WorkspaceOutputs> => {
  if (!packed || packed.length === 0) return { files: {} };
  const tar = await readTar(oneChunk(packed), OutLimits, isReportedFile);
  if (tar.overLimit) return { files: {}, overLimit: true };
  const files: Record<string, string> = {};
  for (const m of tar.members) {
    if (m.type === 'file' && m.content && isReportedFile(m.name)) files[m.name] = m.content.toString('utf8');
  }
  return { files };
};

/** `disk_full` when the wrapper found the `out/` tmpfs without a free block or inode. */
const failureOf = (usage: Buffer | undefined): WorkspaceReadBack['failure'] => {
  const [total, freeBlocks, blockSize, freeInodes] = (usage?.toString('latin1') ?? '').trim().split(' ').map(Number);
  if (total === undefined || freeBlocks === undefined || blockSize === undefined || freeInodes === undefined) return undefined;
  if (![total, freeBlocks, blockSize, freeInodes].every(Number.isSafeInteger)) return undefined;
  if (freeBlocks > 0 && freeInodes > 0) return undefined;
  const limitMb = Math.round((total * blockSize) / MiB);
  const what = freeBlocks > 0 ? 'its file count limit' : `its limit of ${limitMb} MiB`;
  return {
    code: ErrorCodes.diskFull,
    message: `the workspace is full: out/ reached ${what} (resources.diskMb)`,
  };
};

/**
 * Reads back what the wrapper packed from `/workspace/out` (works on a stopped container):
 * the top-level regular files `output.json`, `condition.json` and `variables.json` as UTF-8
 * text, and `failure: disk_full` when `out/` had no free space or inode left at the exit.
 * Subdirectories, links and other files are read past, never followed. Reading stops as soon
 * as `out/` proves to hold more than `WorkspaceLimits.maxOutBytes` of data (or more than
 * `WorkspaceLimits.maxOutEntries` entries): `{ files: {}, overLimit: true }`.
 * @returns `{}` when there is no workspace (or no container) to read.
 * @throws the engine's error, a TarFormatError, or an abort (the signal, or the timeout).
 */
export const readWorkspaceOutputs = async (container: Docker.Container, o: ReadWorkspaceOutputsOptions): Promise<WorkspaceReadBack> => {
  const signal = AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs)]);
  let stream: NodeJS.ReadableStream & { destroy(error?: Error): void };
  try {
    // `/.` makes the engine send the directory's contents as `./name`, whatever it is called.
    stream = (await container.getArchive({ path: `${WorkspacePath}/${HandOff.dir}/.`, abortSignal: signal })) as typeof stream;
  } catch (err) {
    // The engine answers 404 both for a missing path and for a missing container.
    if (isNoSuchContainer(err)) return {};
    throw err;
  }
  // The request's own signal may not reach a response already streaming; this always does.
  const abort = () => stream.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  if (signal.aborted) abort();
  signal.addEventListener('abort', abort, { once: true });
  try {
    const kept = new Set<string>([HandOff.tar, HandOff.usage]);
    const dir = await readTar(stream as AsyncIterable<Buffer | string>, HandOffLimits, (name) => kept.has(name));
    // Only a job that wrote the hand-off files itself gets here: its results are not taken.
    if (dir.overLimit) return { outputs: { files: {}, overLimit: true } };
    const fileOf = (name: string) => dir.members.find((m) => m.type === 'file' && m.name === name)?.content;
    const failure = failureOf(fileOf(HandOff.usage));
    return { outputs: await outputsOf(fileOf(HandOff.tar)), ...(failure ? { failure } : {}) };
  } finally {
    signal.removeEventListener('abort', abort);
    stream.destroy();
  }
};
