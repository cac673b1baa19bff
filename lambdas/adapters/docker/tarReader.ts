import { extract, type Extract, type Header } from 'tar-stream';
import { TarFormatError } from './errors';

/** One member of a tar stream, as {@link readTar} hands it out. */
export interface TarMember {
  /** Path without a leading `./` or `/`, and without a trailing `/` (the root itself is `''`). */
  name: string;
  /** Symbolic and hard links, devices and fifos are `other`: read past, never followed. */
  type: 'file' | 'directory' | 'other';
  /** Content of a regular file the `keep` predicate chose. */
  content?: Buffer;
  size: number;
  mode: number;
  uid: number;
  gid: number;
}

/** How much of a tar stream {@link readTar} takes in before it gives up. */
export interface TarReadLimits {
  /** Most bytes of entry data (all files together) it reads; past it, `overLimit`. */
  maxContentBytes: number;
  /** Most entries it reads; past it, `overLimit` (bounds a flood of empty files). */
  maxEntries: number;
}

/** What a tar stream held, or `overLimit` (and no members) when it held more than the limits. */
export interface TarReadResult {
  members: TarMember[];
  overLimit: boolean;
}

/**
 * Stream bytes allowed per entry beyond its data: its header, padding, and a pax or GNU long-name
 * record (up to PATH_MAX). tar-stream reads those records before it shows the entry, so only this
 * bound stops a stream of records that never name an entry.
 */
const EntryOverheadBytes = 8 * 1024;
/** The end-of-archive blocks, padded to GNU tar's 10 KiB record. */
const TrailerBytes = 10 * 1024;

const normalise = (name: string): string => name.replace(/^(?:\.?\/)+/, '').replace(/\/+$/, '');

const kindOf = (type: Header['type'] | null): TarMember['type'] =>
  type === 'file' || type === 'contiguous-file' ? 'file' : type === 'directory' ? 'directory' : 'other';

const isCount = (value: number): boolean => Number.isSafeInteger(value) && value >= 0;

const toBuffer = (chunk: Buffer | Uint8Array): Buffer =>
  Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);

/** Resolves once the parser has taken in every byte written to it, or was destroyed. */
const settled = (parser: Extract, event: 'drain' | 'close'): Promise<void> =>
  new Promise((resolve) => {
    if (parser.destroyed) return resolve();
    const done = () => {
      parser.off(event, done);
      parser.off('close', done);
      resolve();
    };
    parser.on(event, done);
    parser.on('close', done);
  });

/**
 * Reads a tar stream (ustar, pax and GNU long names, parsed by tar-stream) to its end, or until it
 * holds more than `limits`, when it stops reading at once and reports `overLimit`. Leaving the
 * loop early destroys the stream. A stream that stops between two entries without the
 * end-of-archive blocks is accepted; one that stops inside an entry is not.
 * @param keep which regular files (by normalised name) to keep the content of; all by default.
 * @throws TarFormatError when the stream is not a well-formed tar archive.
 * @throws whatever the stream throws (an aborted or failed read).
 */
export const readTar = async (
  source: AsyncIterable<Buffer | Uint8Array | string>,
  limits: TarReadLimits,
  keep: (name: string) => boolean = () => true,
): Promise<TarReadResult> => {
  const maxStreamBytes = limits.maxContentBytes + limits.maxEntries * EntryOverheadBytes + TrailerBytes;
  const members: TarMember[] = [];
  let entries = 0;
  let contentBytes = 0;
  let streamBytes = 0;
  let overLimit = false;
  let malformed: string | undefined;
  // A high-water mark of one byte makes each write wait until the parser took it in, so the entry
  // that passes a limit is the last one read from the source.
  const parser = extract({ highWaterMark: 1 });
  parser.on('error', (err) => {
    malformed ??= err.message;
  });
  parser.on('entry', (header, data, next) => {
    const type = kindOf(header.type);
    // Directories carry no data of their own (a size there is ignored, as tar does).
    const dataSize = type === 'directory' ? 0 : header.size;
    if (!isCount(header.mode) || !isCount(header.uid) || !isCount(header.gid)) {
      malformed ??= `bad mode or owner of ${JSON.stringify(header.name)}`;
      return parser.destroy();
    }
    entries += 1;
    contentBytes += dataSize;
    if (entries > limits.maxEntries || contentBytes > limits.maxContentBytes) {
      overLimit = true;
      return parser.destroy();
    }
    const name = normalise(header.name);
    const member: TarMember = { name, type, size: dataSize, mode: header.mode, uid: header.uid, gid: header.gid };
    members.push(member);
    const parts: Buffer[] | undefined = type === 'file' && keep(name) ? [] : undefined;
    if (dataSize === 0) {
      if (parts) member.content = Buffer.alloc(0);
      data.resume();
      return next();
    }
    data.on('data', (chunk: unknown) => {
      if (parts && chunk instanceof Uint8Array) parts.push(toBuffer(chunk));
    });
    data.on('end', () => {
      if (parts) member.content = Buffer.concat(parts);
      next();
    });
  });

  try {
    for await (const chunk of source) {
      if (typeof chunk === 'string') throw new TarFormatError('the stream delivers decoded text, not bytes');
      streamBytes += chunk.byteLength;
      if (streamBytes > maxStreamBytes) {
        overLimit = true;
        break;
      }
      if (chunk.byteLength === 0) continue;
      if (!parser.write(toBuffer(chunk))) await settled(parser, 'drain');
      if (parser.destroying) break;
    }
    if (!parser.destroying) {
      parser.end(undefined);
      await settled(parser, 'close');
    }
  } finally {
    parser.destroy();
  }
  if (overLimit) return { members: [], overLimit: true };
  if (malformed !== undefined) throw new TarFormatError(malformed);
  return { members, overLimit: false };
};
