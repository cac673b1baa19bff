/** Secrets shorter than this are not masked: they would blot out ordinary text. */
export const MIN_MASKED_LENGTH = 4;

export const MASK = '***';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The secret values worth masking, longest first, so a secret that contains another is masked whole. */
const maskable = (secrets: Iterable<string>): string[] =>
  [...new Set([...secrets].filter((s) => s.length >= MIN_MASKED_LENGTH))].sort((a, b) => b.length - a.length);

/** A fresh global pattern matching any of `values` (longest alternative first), or undefined for none. */
export const secretPattern = (values: readonly string[]): RegExp | undefined =>
  values.length === 0 ? undefined : new RegExp(values.map(escape).join('|'), 'g');

/** The secrets a job's output is masked against, and their longest length (what a streaming masker holds back). */
export interface SecretSet {
  values: readonly string[];
  longest: number;
}

/** The maskable values of `secrets`, longest first. */
export const secretSetOf = (secrets: Iterable<string>): SecretSet => {
  const values = maskable(secrets);
  return { values, longest: values[0]?.length ?? 0 };
};

/**
 * Replaces every occurrence of any secret value with `***`. Longer secrets are tried first, so a
 * secret that contains another is masked whole. A line that reaches the recorder in pieces is masked
 * as one stream (see createLineMasker), so a secret cut in two by a launcher is masked too.
 */
export const createMasker = (secrets: Iterable<string>): ((text: string) => string) => {
  const pattern = secretPattern(maskable(secrets));
  if (!pattern) return (text) => text;
  return (text) => text.replace(pattern, MASK);
};
