import { MASK } from './createMasker';

/**
 * Masks secret values inside a JSON value: in every string and object key, and a number whose text
 * is (or holds) a secret becomes the string `***`. Booleans and null carry no text and stay.
 */
export const maskValue = (value: unknown, mask: (text: string) => string): unknown => {
  if (typeof value === 'string') return mask(value);
  if (typeof value === 'number') return mask(String(value)) === String(value) ? value : MASK;
  if (Array.isArray(value)) return value.map((v) => maskValue(v, mask));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [mask(k), maskValue(v, mask)]));
  }
  return value;
};

/** True when masking would change `value`: it holds a secret somewhere. */
export const revealsSecret = (value: unknown, mask: (text: string) => string): boolean =>
  JSON.stringify(maskValue(value, mask)) !== JSON.stringify(value);
