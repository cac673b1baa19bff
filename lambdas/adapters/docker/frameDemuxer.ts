// Ours, not dockerode's modem.demuxStream: that pours payloads into two streams and loses frame
// boundaries, and each frame is one log entry, whose timestamp is the position logs resume from.
import type { OutputStream } from './resumeToken';

/** One frame of the engine's multiplexed stream: a single log entry. */
export interface LogFrame {
  stream: OutputStream;
  payload: Buffer;
}

const HeaderBytes = 8;
const streamTypes: Record<number, OutputStream | undefined> = { 1: 'stdout', 2: 'stderr' };

/**
 * Splits the engine's multiplexed byte stream (8-byte header: stream type, 3 zero bytes,
 * big-endian length) into frames, whatever the chunk boundaries.
 */
export const createFrameDemuxer = () => {
  let buffered: Buffer = Buffer.alloc(0);
  return {
    /** Frames completed by `chunk`; a partial frame waits for the next chunk. */
    push(chunk: Buffer): LogFrame[] {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      const frames: LogFrame[] = [];
      let at = 0;
      while (buffered.length - at >= HeaderBytes) {
        const size = buffered.readUInt32BE(at + 4);
        if (buffered.length - at - HeaderBytes < size) break;
        const stream = streamTypes[buffered[at]!];
        // Type 0 (stdin) and 3 (engine error) carry no job output.
        if (stream) frames.push({ stream, payload: buffered.subarray(at + HeaderBytes, at + HeaderBytes + size) });
        at += HeaderBytes + size;
      }
      buffered = buffered.subarray(at);
      return frames;
    },
    /** Bytes of an unfinished frame, which a stream that ended mid-frame leaves behind. */
    get pendingBytes(): number {
      return buffered.length;
    },
  };
};
