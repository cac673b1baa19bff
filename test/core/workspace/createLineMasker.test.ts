import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLineMasker } from '../../../lambdas/core/workspace/createLineMasker';
import { createMasker, secretSetOf } from '../../../lambdas/core/workspace/createMasker';

/** Masks `line` cut at `cuts` (sorted positions) piece by piece; returns the emitted pieces. */
const streamed = (secrets: string[], line: string, cuts: number[]): string[] => {
  const masker = createLineMasker(secretSetOf(secrets));
  const bounds = [0, ...cuts, line.length];
  return bounds.slice(1).map((end, i) => masker.push(line.slice(bounds[i], end), i < bounds.length - 2));
};

describe('createLineMasker', () => {
  const secret = 'SeCrEt-7f3a9b';

  it('masks a secret cut in two at every position, and no emitted piece shows any of it whole', () => {
    const line = `${'A'.repeat(40)}${secret}${'B'.repeat(10)}`;
    for (let cut = 1; cut < line.length; cut++) {
      const pieces = streamed([secret], line, [cut]);

      expect(pieces.join('')).toBe(`${'A'.repeat(40)}***${'B'.repeat(10)}`);
      for (const piece of pieces) expect(piece).not.toContain(secret);
    }
  });

  it('masks a secret cut in three pieces at every pair of positions', () => {
    const line = `x${secret}y`;
    for (let a = 1; a < line.length; a++) {
      for (let b = a; b < line.length; b++) {
        expect(streamed([secret], line, [a, b]).join('')).toBe('x***y');
      }
    }
  });

  it('gives the same text as masking the whole line, for any secrets, line and cuts', () => {
    const alphabet = fc.constantFrom('a', 'b', 'c', 'é', '😀');
    const word = (min: number, max: number) => fc.array(alphabet, { minLength: min, maxLength: max }).map((a) => a.join(''));
    fc.assert(
      fc.property(
        fc.array(word(1, 8), { minLength: 1, maxLength: 3 }),
        fc.array(fc.oneof(word(0, 6), fc.constant('<s0>'), fc.constant('<s1>')), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (secrets, parts, rawCuts) => {
          const line = parts.map((p) => (p === '<s0>' ? secrets[0] : p === '<s1>' ? (secrets[1] ?? '') : p)).join('');
          const cuts = [...new Set(rawCuts.map((c) => c % (line.length + 1)))].sort((x, y) => x - y);
          expect(streamed(secrets, line, cuts).join('')).toBe(createMasker(secrets)(line));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('holds back no more than the longest secret’s length less one', () => {
    const masker = createLineMasker(secretSetOf([secret]));

    const emitted = masker.push('x'.repeat(100), true);

    expect(emitted).toBe('x'.repeat(100 - (secret.length - 1)));
    expect(masker.held).toBe(secret.length - 1);
    expect(masker.flush()).toBe('x'.repeat(secret.length - 1));
  });

  it('passes pieces through untouched when there is no secret', () => {
    const masker = createLineMasker(secretSetOf([]));

    expect(masker.push('abc', true)).toBe('abc');
    expect(masker.held).toBe(0);
  });
});
