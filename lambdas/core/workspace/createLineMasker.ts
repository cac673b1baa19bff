import { MASK, secretPattern, type SecretSet } from './createMasker';

/** Masks one line that arrives in pieces, as if it had arrived whole. */
export interface LineMasker {
  /**
   * Masks `piece` after whatever was held back. With `more` (the line goes on in a later piece) the
   * tail that could be the start of a secret finished by the next piece is held back.
   * @returns the masked text that is final now (possibly empty).
   */
  push(piece: string, more: boolean): string;
  /** The masked text still held back, for a line that ended without its last piece. */
  flush(): string;
  /** Characters held back. */
  readonly held: number;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/** Masks one piece of a line after the `carry` held back from the pieces before it. */
export type PieceMasker = (carry: string, piece: string, more: boolean) => { text: string; carry: string };

/**
 * The step of a streaming masker, as a pure function. It holds back the last (longest secret − 1)
 * characters of a continuing piece: no secret can start before that point without ending inside the
 * text seen so far. A match that starts before the point is taken whole (and the point moves to its
 * end); the rest is carried into the next piece. The result equals masking the whole line at once,
 * whatever the pieces, with at most about one secret's length held back.
 */
export const createPieceMasker = (secrets: SecretSet): PieceMasker => {
  const pattern = secretPattern(secrets.values);
  const holdBack = Math.max(0, secrets.longest - 1);
  return (carry, piece, more) => {
    const text = carry + piece;
    if (!pattern) return { text, carry: '' };
    if (!more) return { text: text.replace(pattern, MASK), carry: '' };
    let cut = text.length - holdBack;
    // Never split a surrogate pair between what is emitted and what is carried.
    if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
    if (cut <= 0) return { text: '', carry: text };
    let out = '';
    let at = 0;
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m !== null && m.index < cut; m = pattern.exec(text)) {
      out += text.slice(at, m.index) + MASK;
      at = m.index + m[0].length;
    }
    const end = Math.max(cut, at);
    return { text: out + text.slice(at, end), carry: text.slice(end) };
  };
};

/** A streaming masker for one line (see createPieceMasker). */
export const createLineMasker = (secrets: SecretSet): LineMasker => {
  const step = createPieceMasker(secrets);
  let carry = '';
  return {
    push(piece, more) {
      const r = step(carry, piece, more);
      carry = r.carry;
      return r.text;
    },
    flush() {
      return this.push('', false);
    },
    get held() {
      return carry.length;
    },
  };
};
