import { describe, expect, it } from 'vitest';
import { createLineSplitter, MaxLineBytes } from '../../../lambdas/adapters/ssh/lineSplitter';

const splitter = (maxLineBytes?: number) => {
  let t = Date.parse('2030-01-01T00:00:00Z');
  const s = createLineSplitter({ stream: 'stdout', maxLineBytes, now: () => t });
  return { s, tick: (ms: number) => (t += ms) };
};

describe('line splitter', () => {
  it('splits on newlines and drops them', () => {
    const { s } = splitter();
    expect(s.push(Buffer.from('a\nb\n')).map((l) => l.line)).toEqual(['a', 'b']);
  });

  it('keeps a partial line until its newline, stamped with the time its first byte came', () => {
    const { s, tick } = splitter();
    expect(s.push(Buffer.from('hel'))).toEqual([]);
    tick(500);
    const [line] = s.push(Buffer.from('lo\n'));
    expect(line).toEqual({ stream: 'stdout', ts: '2030-01-01T00:00:00.000Z', line: 'hello' });
  });

  it('hands out an unfinished last line on flush', () => {
    const { s } = splitter();
    s.push(Buffer.from('done\nno newline'));
    expect(s.flush().map((l) => l.line)).toEqual(['no newline']);
    expect(s.flush()).toEqual([]);
  });

  it('keeps empty lines', () => {
    const { s } = splitter();
    expect(s.push(Buffer.from('\n\nx\n')).map((l) => l.line)).toEqual(['', '', 'x']);
  });

  it('cuts a line longer than 16 KiB into pieces of at most 16 KiB', () => {
    const { s } = splitter();
    const lines = s.push(Buffer.from(`${'x'.repeat(MaxLineBytes * 2 + 10)}\n`));
    expect(lines.map((l) => l.line.length)).toEqual([MaxLineBytes, MaxLineBytes, 10]);
  });

  it('marks every piece of a cut line but its last as continued, so the recorder masks across the cut', () => {
    const { s } = splitter();
    const lines = [...s.push(Buffer.from('y'.repeat(MaxLineBytes + 5))), ...s.push(Buffer.from('z\nnext\n'))];
    expect(lines.map((l) => [l.line.length, l.partial ?? false])).toEqual([
      [MaxLineBytes, true],
      [6, false],
      [4, false],
    ]);
  });

  it('never cuts inside a UTF-8 sequence, even when it arrives split across chunks', () => {
    const { s } = splitter(5);
    const bytes = Buffer.from('abcdé€\n'); // é is 2 bytes, € is 3
    const out = [...s.push(bytes.subarray(0, 5)), ...s.push(bytes.subarray(5))];
    expect(out.map((l) => l.line).join('')).toBe('abcdé€');
    for (const l of out) expect(l.line).not.toContain('\ufffd');
  });
});
