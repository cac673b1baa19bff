import { extract } from 'tar-stream';
import { isReportedFile } from '../../core';
import type { WorkspaceOutputs } from '../../core';
import { OutArchiveError } from './errors';

/** How much of an `out/` archive {@link readOutputArchive} takes in before it gives up. */
export interface OutArchiveLimits {
  /** Most bytes of file data in all; past it, `overLimit`. */
  maxContentBytes: number;
  /** Most entries; past it, `overLimit` (bounds a flood of empty files). */
  maxEntries: number;
}

/** A destroyed extractor never drains: waiting for `drain` alone could hang the feeder. */
const drainedOrClosed = (stream: NodeJS.EventEmitter): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });

const normalise = (name: string): string => name.replace(/^(?:\.?\/)+/, '').replace(/\/+$/, '');

/**
 * Reads the tar of `out/` a task uploaded (`tar -C out -cf - .`, so names are `./output.json`):
 * the top-level regular files `output.json`, `condition.json` and `variables.json` as UTF-8 text.
 * Subdirectories, links and other files are read past, never followed. Reading stops as soon as
 * the archive proves to hold more than `limits`: `{ files: {}, overLimit: true }`, the same
 * answer the Docker and SSH launchers give for an `out/` that is too large.
 * @throws OutArchiveError when the bytes are not a well-formed tar archive (or end inside an entry).
 * @throws the source's own error when reading it fails.
 */
export const readOutputArchive = async (source: AsyncIterable<Uint8Array>, limits: OutArchiveLimits): Promise<WorkspaceOutputs> => {
  const archive = extract();
  let feedError: Error | undefined;
  // Feeding runs beside the reading loop; an early stop destroys the extractor and ends it.
  const feeding = (async () => {
    try {
      for await (const chunk of source) {
        if (archive.destroyed) return;
        if (!archive.write(Buffer.from(chunk))) await drainedOrClosed(archive);
      }
      archive.end(null);
    } catch (err) {
      feedError = err instanceof Error ? err : new Error(String(err));
      archive.destroy(feedError);
    }
  })();

  const files: Record<string, string> = {};
  let bytes = 0;
  let entries = 0;
  let overLimit = false;
  try {
    for await (const entry of archive) {
      const { header } = entry;
      entries += 1;
      bytes += header.type === 'file' || header.type === 'contiguous-file' ? header.size : 0;
      if (entries > limits.maxEntries || bytes > limits.maxContentBytes) {
        overLimit = true;
        break;
      }
      const name = normalise(header.name);
      const wanted = (header.type === 'file' || header.type === 'contiguous-file') && isReportedFile(name);
      const parts: Buffer[] = [];
      for await (const chunk of entry) if (wanted) parts.push(chunk as Buffer);
      if (wanted) files[name] = Buffer.concat(parts).toString('utf8');
    }
  } catch (err) {
    if (feedError) throw feedError;
    throw new OutArchiveError((err as Error).message, { cause: err });
  } finally {
    if (!archive.destroyed) archive.destroy();
    await feeding;
  }
  if (feedError && !overLimit) throw feedError;
  return overLimit ? { files: {}, overLimit: true } : { files };
};
