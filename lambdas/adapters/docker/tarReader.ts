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
  /** Most bytes of entry data (files, long names, pax records) it reads; past it, `overLimit`. */
  maxContentBytes: number;
  /** Most entries it reads; past it, `overLimit` (bounds a flood of empty files). */
  maxEntries: number;
}

/** What a tar stream held, or `overLimit` (and no members) when it held more than the limits. */
export interface TarReadResult {
  members: TarMember[];
  overLimit: boolean;
}

const Block = 512;
const decoder = new TextDecoder('utf-8');

/** A NUL-terminated text field. */
const text = (block: Buffer, offset: number, length: number): string => {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return decoder.decode(end === -1 ? field : field.subarray(0, end));
};

/** An octal field, or GNU base-256 (high bit of the first byte set) for values that do not fit. */
const numeric = (block: Buffer, offset: number, length: number): number => {
  const field = block.subarray(offset, offset + length);
  if (field[0]! & 0x80) {
    if (field[0] === 0xff) throw new TarFormatError('negative base-256 number');
    let value = field[0]! & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const digits = text(block, offset, length).trim();
  if (digits === '') return 0;
  if (!/^[0-7]+$/.test(digits)) throw new TarFormatError(`not an octal number: ${JSON.stringify(digits)}`);
  return parseInt(digits, 8);
};

const checksumOk = (block: Buffer): boolean => {
  let sum = 0;
  for (let i = 0; i < Block; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return numeric(block, 148, 8) === sum;
};

/** `len key=value\n` records of a pax extended header. */
const paxRecords = (data: Buffer): Map<string, string> => {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    const length = space === -1 ? NaN : Number(data.subarray(at, space).toString('ascii'));
    if (!Number.isInteger(length) || length <= space - at || at + length > data.length) {
      throw new TarFormatError('malformed pax record');
    }
    const record = decoder.decode(data.subarray(space + 1, at + length - 1));
    const eq = record.indexOf('=');
    if (eq > 0) records.set(record.slice(0, eq), record.slice(eq + 1));
    at += length;
  }
  return records;
};

const normalise = (name: string): string => name.replace(/^(?:\.?\/)+/, '').replace(/\/+$/, '');

/** Headers of the entry that describe the next one (pax `x`, GNU `L`). */
interface Pending {
  path?: string;
  size?: number;
}

type State =
  | { kind: 'header' }
  | { kind: 'data'; left: number; pad: number; parts?: Buffer[]; onData: (data: Buffer | undefined) => void }
  | { kind: 'pad'; left: number }
  | { kind: 'end' };

/**
 * A push parser of tar streams (ustar, pax and GNU long names): feed chunks, read `result()`.
 * Only what `keep` chooses is kept in memory; everything else is counted and skipped.
 */
export const createTarParser = (limits: TarReadLimits, keep: (name: string) => boolean = () => true) => {
  const members: TarMember[] = [];
  let header: Buffer = Buffer.alloc(0);
  let state: State = { kind: 'header' };
  let pending: Pending = {};
  let contentBytes = 0;
  let entries = 0;
  let overLimit = false;

  const readData = (size: number, wanted: boolean, onData: (data: Buffer | undefined) => void) => {
    const pad = (Block - (size % Block)) % Block;
    state = { kind: 'data', left: size, pad, parts: wanted ? [] : undefined, onData };
    if (size === 0) finishData();
  };

  const finishData = () => {
    if (state.kind !== 'data') return;
    const { parts, pad, onData } = state;
    state = pad > 0 ? { kind: 'pad', left: pad } : { kind: 'header' };
    onData(parts && Buffer.concat(parts));
  };

  const onHeader = (block: Buffer) => {
    if (block.every((b) => b === 0)) {
      // One zero block ends the archive (the second adds nothing).
      state = { kind: 'end' };
      return;
    }
    if (!checksumOk(block)) throw new TarFormatError('header checksum mismatch');
    const type = String.fromCharCode(block[156]!);
    const ustar = block.subarray(257, 262).toString('ascii') === 'ustar';
    const prefix = ustar ? text(block, 345, 155) : '';
    const rawName = prefix ? `${prefix}/${text(block, 0, 100)}` : text(block, 0, 100);
    const isMeta = type === 'x' || type === 'L' || type === 'g' || type === 'K';
    const size = isMeta ? numeric(block, 124, 12) : (pending.size ?? numeric(block, 124, 12));

    if (++entries > limits.maxEntries || contentBytes + size > limits.maxContentBytes) {
      overLimit = true;
      state = { kind: 'end' };
      return;
    }
    contentBytes += size;

    if (type === 'x' || type === 'L') {
      readData(size, true, (data) => {
        if (type === 'L') pending.path = text(data!, 0, data!.length);
        else {
          const records = paxRecords(data!);
          const path = records.get('path');
          const paxSize = records.get('size');
          if (path !== undefined) pending.path = path;
          if (paxSize !== undefined) {
            if (!/^\d+$/.test(paxSize)) throw new TarFormatError('malformed pax size');
            pending.size = Number(paxSize);
          }
        }
      });
      return;
    }
    if (type === 'g' || type === 'K') {
      // Global pax defaults and GNU long link targets change nothing a reader of files needs.
      readData(size, false, () => undefined);
      return;
    }

    const name = normalise(pending.path ?? rawName);
    pending = {};
    const kind: TarMember['type'] = type === '0' || type === '\0' || type === '7' ? 'file' : type === '5' ? 'directory' : 'other';
    const member: TarMember = {
      name,
      type: kind,
      size: kind === 'directory' ? 0 : size,
      mode: numeric(block, 100, 8),
      uid: numeric(block, 108, 8),
      gid: numeric(block, 116, 8),
    };
    members.push(member);
    // Directories and links carry no data of their own (a size there is ignored, as tar does).
    const dataSize = kind === 'directory' || type === '1' || type === '2' ? 0 : size;
    readData(dataSize, kind === 'file' && keep(name), (data) => {
      if (data) member.content = data;
    });
  };

  return {
    /**
     * Takes in the next chunk of the stream.
     * @throws TarFormatError when the stream is not a tar archive.
     */
    push(chunk: Buffer): void {
      let at = 0;
      while (at < chunk.length && state.kind !== 'end') {
        if (state.kind === 'header') {
          const piece = chunk.subarray(at, at + Block - header.length);
          at += piece.length;
          header = header.length === 0 && piece.length === Block ? piece : Buffer.concat([header, piece]);
          if (header.length < Block) continue;
          const block = header;
          header = Buffer.alloc(0);
          onHeader(block);
        } else if (state.kind === 'data') {
          const n = Math.min(state.left, chunk.length - at);
          state.parts?.push(chunk.subarray(at, at + n));
          state.left -= n;
          at += n;
          if (state.left === 0) finishData();
        } else {
          const n = Math.min(state.left, chunk.length - at);
          state.left -= n;
          at += n;
          if (state.left === 0) state = { kind: 'header' };
        }
      }
    },
    /** True once the archive ended or went over a limit: the rest of the stream need not be read. */
    get done(): boolean {
      return state.kind === 'end';
    },
    /**
     * What the stream held. A stream that stops between two entries without the end-of-archive
     * blocks is accepted; one that stops inside an entry is not.
     * @throws TarFormatError when the stream was cut inside an entry.
     */
    result(): TarReadResult {
      if (overLimit) return { members: [], overLimit: true };
      const between = (state.kind === 'header' && header.length === 0) || state.kind === 'end';
      if (!between) throw new TarFormatError('tar stream ended inside an entry');
      return { members, overLimit: false };
    },
  };
};

/**
 * Reads a tar stream to its end-of-archive blocks (or until it holds more than `limits`, when it
 * stops reading at once and reports `overLimit`). Leaving the loop early destroys the stream.
 * @param keep which regular files (by normalised name) to keep the content of; all by default.
 * @throws TarFormatError when the stream is not a well-formed tar archive.
 * @throws whatever the stream throws (an aborted or failed read).
 */
export const readTar = async (
  source: AsyncIterable<Buffer | Uint8Array | string>,
  limits: TarReadLimits,
  keep?: (name: string) => boolean,
): Promise<TarReadResult> => {
  const parser = createTarParser(limits, keep);
  for await (const chunk of source) {
    if (typeof chunk === 'string') throw new TarFormatError('the stream delivers decoded text, not bytes');
    parser.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (parser.done) break;
  }
  return parser.result();
};
