import { describe, expect, it } from 'vitest';
import { createFrameDemuxer, type LogFrame } from '../../../lambdas/adapters/docker/frameDemuxer';
import { createLineAssembler, type AssembledLine } from '../../../lambdas/adapters/docker/lineAssembler';
import { decodeResumeToken, earliestNeeded, encodeResumeToken } from '../../../lambdas/adapters/docker/resumeToken';
import { InvalidResumeTokenError } from '../../../lambdas/adapters/docker/errors';

const wire = (stream: 1 | 2, payload: string): Buffer => {
  const body = Buffer.from(payload, 'utf8');
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
};

const entry = (stream: LogFrame['stream'], ts: string, content: string): LogFrame => ({
  stream,
  payload: Buffer.from(`${ts} ${content}`, 'utf8'),
});

const T1 = '2025-03-01T10:00:00.000000001Z';
const T2 = '2025-03-01T10:00:00.000000002Z';
const T3 = '2025-03-01T10:00:01.500000000Z';

const assemble = (frames: LogFrame[], o: Parameters<typeof createLineAssembler>[0] = {}): AssembledLine[] => {
  const assembler = createLineAssembler(o);
  return [...frames.flatMap((f) => assembler.push(f)), ...assembler.flush()];
};

describe('frame demuxer', () => {
  it('reassembles frames whatever the chunk boundaries', () => {
    // Arrange
    const bytes = Buffer.concat([wire(1, `${T1} out\n`), wire(2, `${T2} err\n`), wire(1, `${T3} more\n`)]);
    const demuxer = createFrameDemuxer();

    // Act
    const frames = [...bytes].flatMap((b) => demuxer.push(Buffer.from([b])));

    // Assert
    expect(frames.map((f) => [f.stream, f.payload.toString()])).toEqual([
      ['stdout', `${T1} out\n`],
      ['stderr', `${T2} err\n`],
      ['stdout', `${T3} more\n`],
    ]);
    expect(demuxer.pendingBytes).toBe(0);
  });
});

describe('line assembler', () => {
  it('keeps a partial line of one stream while the other stream completes lines', () => {
    // Arrange
    const frames = [entry('stdout', T1, 'abc'), entry('stderr', T2, 'err\n'), entry('stdout', T3, 'def\nghi\n')];

    // Act
    const lines = assemble(frames);

    // Assert
    expect(lines.map((l) => [l.stream, l.line])).toEqual([
      ['stderr', 'err'],
      ['stdout', 'abcdef'],
      ['stdout', 'ghi'],
    ]);
    expect(lines[1]!.ts.raw).toBe(T1);
  });

  it('reports an unfinished last line when the log ends', () => {
    // Arrange
    const assembler = createLineAssembler();

    // Act
    const beforeEnd = assembler.push(entry('stdout', T1, 'no newline'));
    const atEnd = assembler.flush();

    // Assert
    expect(beforeEnd).toEqual([]);
    expect(atEnd.map((l) => l.line)).toEqual(['no newline']);
  });

  it('keeps empty lines', () => {
    // Act
    const lines = assemble([entry('stdout', T1, 'a\n\nb\n')]);

    // Assert
    expect(lines.map((l) => l.line)).toEqual(['a', '', 'b']);
  });

  it('cuts a line longer than 16 KiB without splitting a UTF-8 character', () => {
    // Arrange: 2-byte characters, so 16384 falls inside one every other time
    const text = 'a' + 'é'.repeat(12_000);
    const half = Buffer.from(text).length >> 1;
    const bytes = Buffer.from(text + '\n');
    const frames = [
      { stream: 'stdout' as const, payload: Buffer.concat([Buffer.from(`${T1} `), bytes.subarray(0, half)]) },
      { stream: 'stdout' as const, payload: Buffer.concat([Buffer.from(`${T1} `), bytes.subarray(half)]) },
    ];

    // Act
    const lines = assemble(frames);

    // Assert
    expect(lines.length).toBe(2);
    expect(Buffer.byteLength(lines[0]!.line)).toBeLessThanOrEqual(16 * 1024);
    expect(Buffer.byteLength(lines[0]!.line)).toBeGreaterThan(16 * 1024 - 4);
    expect(lines.map((l) => l.line).join('')).toBe(text);
    expect(lines.some((l) => l.line.includes('\uFFFD'))).toBe(false);
  });

  it('marks every piece of a cut line but its last as continued', () => {
    const text = 'x'.repeat(40_000);

    const lines = assemble([entry('stdout', T1, `${text}\n`), entry('stdout', T2, 'short\n')]);

    expect(lines.map((l) => [l.line.length, l.partial ?? false])).toEqual([
      [16_384, true],
      [16_384, true],
      [40_000 - 2 * 16_384, false],
      [5, false],
    ]);
  });

  it('cuts one huge entry into pieces in linear time', () => {
    // A single 64 MiB entry: copying everything pending for each cut would take minutes.
    const huge = { stream: 'stdout' as const, payload: Buffer.concat([Buffer.from(`${T1} `), Buffer.alloc(64 * 1024 * 1024, 0x61)]) };
    const started = Date.now();

    const lines = assemble([huge]);

    expect(lines).toHaveLength(4096);
    expect(lines.slice(0, -1).every((l) => l.partial)).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('resumed from any reported line, reports exactly the lines after it', () => {
    // Arrange: same-stamp runs, pieces of one line in several entries, both streams, and
    // cuts inside entries (tiny line limit)
    const frames = [
      entry('stdout', T1, 'one\ntw'),
      entry('stdout', T1, 'o\nthree-is-long\n'),
      entry('stderr', T1, 'e1\n'),
      entry('stdout', T2, 'four'),
      entry('stderr', T2, 'e2-partial'),
      entry('stdout', T2, '\nfive\n'),
      entry('stderr', T3, '-end\ne3\n'),
      entry('stdout', T3, 'six-tail'),
    ];
    const all = assemble(frames, { maxLineBytes: 6 });

    for (let k = 0; k < all.length; k++) {
      // Act
      const resumed = assemble(frames, { maxLineBytes: 6, resumeFrom: all[k]!.cursor });

      // Assert
      expect(resumed.map((l) => [l.stream, l.line])).toEqual(all.slice(k + 1).map((l) => [l.stream, l.line]));
    }
    expect(all.map((l) => l.line).join('|')).toBe('one|two|three-|is-lon|g|e1|e2-par|four|five|tial-e|nd|e3|six-ta|il');
  });
});

describe('resume token', () => {
  it('round-trips nanosecond timestamps, counts and offsets', () => {
    // Arrange
    const lines = assemble([entry('stdout', T1, 'a\n'), entry('stdout', T1, 'b\n'), entry('stderr', T3, 'c\n')]);
    const cursor = lines.at(-1)!.cursor;

    // Act
    const token = encodeResumeToken(cursor);
    const decoded = decodeResumeToken(token);

    // Assert
    expect(token).toBe(`d1;f=${T1};o=${T1},2,0;e=${T3},1,0`);
    expect(decoded).toEqual(cursor);
  });

  it('starts the engine read early enough for an unfinished line of a stream that reported nothing', () => {
    // Arrange: stderr began a line at T1 and has not finished it; stdout reports at T3
    const assembler = createLineAssembler();
    assembler.push(entry('stderr', T1, 'half a line'));

    // Act
    const [line] = assembler.push(entry('stdout', T3, 'done\n'));

    // Assert
    expect(line!.cursor.stderr).toBeUndefined();
    expect(line!.cursor.from?.raw).toBe(T1);
    expect(earliestNeeded(line!.cursor)?.raw).toBe(T1);
  });

  it('rejects a token it did not write', () => {
    // Act / Assert
    expect(() => decodeResumeToken('garbage')).toThrow(InvalidResumeTokenError);
    expect(() => decodeResumeToken('d1;o=yesterday,1,0')).toThrow(InvalidResumeTokenError);
  });
});
