/** Secrets shorter than this are not masked: they would blot out ordinary text. */
export const MIN_MASKED_LENGTH = 4;

export const MASK = '***';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Replaces every occurrence of any secret value with `***`. Longer secrets are tried first, so a
 * secret that contains another is masked whole. Lines reach it whole (launchers assemble lines), so a
 * secret written in two pieces of one line is masked too.
 */
export const createMasker = (secrets: Iterable<string>): ((text: string) => string) => {
  const values = [...new Set([...secrets].filter((s) => s.length >= MIN_MASKED_LENGTH))].sort((a, b) => b.length - a.length);
  if (values.length === 0) return (text) => text;
  const pattern = new RegExp(values.map(escape).join('|'), 'g');
  return (text) => text.replace(pattern, MASK);
};
