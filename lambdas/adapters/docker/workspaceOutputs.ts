import type Docker from 'dockerode';
import type { WorkspaceOutputs } from '../../core/ports/runtime';
import { WorkspaceLayout } from '../../core/workspace/workspaceContract';
import { isNoSuchContainer } from './engineErrors';
import { readTar } from './tarReader';
import { WorkspacePath } from './workspaceArchive';

/** The files of `out/` a launcher reports; anything else there is ignored. */
const ReportedFiles: ReadonlySet<string> = new Set([
  WorkspaceLayout.output,
  WorkspaceLayout.condition,
  WorkspaceLayout.setVariables,
]);

/** More entries than any honest `out/` holds; bounds a flood of empty files. */
export const MaxOutEntries = 1_000;

/** Options of readWorkspaceOutputs. */
export interface ReadWorkspaceOutputsOptions {
  /** Aborting stops the read (the caller is shutting down); it then rejects. */
  signal: AbortSignal;
  /** The read gives up (rejects) after this long, so a stuck engine cannot hold the exit report. */
  timeoutMs: number;
}

/**
 * Reads back what the script left in `/workspace/out` (works on a stopped container): the
 * top-level regular files `output.json`, `condition.json` and `variables.json` as UTF-8 text.
 * Subdirectories, links and other files are read past, never followed. Reading stops as soon
 * as `out/` proves to hold more than `WorkspaceLayout.maxOutBytes` of data (or more than
 * {@link MaxOutEntries} entries): `{ files: {}, overLimit: true }`.
 * @returns undefined when there is no `out/` (or no container) to read.
 * @throws the engine's error, a TarFormatError, or an abort (the signal, or the timeout).
 */
export const readWorkspaceOutputs = async (
  container: Docker.Container,
  o: ReadWorkspaceOutputsOptions,
): Promise<WorkspaceOutputs | undefined> => {
  const signal = AbortSignal.any([o.signal, AbortSignal.timeout(o.timeoutMs)]);
  let stream: NodeJS.ReadableStream & { destroy(error?: Error): void };
  try {
    // `/.` makes the engine send the directory's contents as `./name`, whatever it is called.
    stream = (await container.getArchive({
      path: `${WorkspacePath}/${WorkspaceLayout.outDir}/.`,
      abortSignal: signal,
    })) as typeof stream;
  } catch (err) {
    // The engine answers 404 both for a missing path and for a missing container.
    if (isNoSuchContainer(err)) return undefined;
    throw err;
  }
  // The request's own signal may not reach a response already streaming; this always does.
  const abort = () => stream.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
  if (signal.aborted) abort();
  signal.addEventListener('abort', abort, { once: true });
  try {
    const limits = { maxContentBytes: WorkspaceLayout.maxOutBytes, maxEntries: MaxOutEntries };
    const tar = await readTar(stream as AsyncIterable<Buffer | string>, limits, (name) => ReportedFiles.has(name));
    if (tar.overLimit) return { files: {}, overLimit: true };
    const files: Record<string, string> = {};
    for (const m of tar.members) {
      if (m.type === 'file' && m.content && ReportedFiles.has(m.name)) files[m.name] = m.content.toString('utf8');
    }
    return { files };
  } finally {
    signal.removeEventListener('abort', abort);
    stream.destroy();
  }
};
