import { InvalidArgumentError } from 'commander';

/** commander parser: a number greater than zero. */
export const positiveNumber = (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number greater than 0');
  return n;
};

/** commander parser: an integer greater than zero. */
export const positiveInteger = (value: string): number => {
  const n = positiveNumber(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected a whole number greater than 0');
  return n;
};

/** commander parser: an integer of zero or more. */
export const nonNegativeInteger = (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number of 0 or more');
  return n;
};

const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** commander parser for a repeatable `--env K=V`: collects the pairs into one record. */
export const collectEnv = (value: string, previous: Record<string, string> | undefined): Record<string, string> => {
  const eq = value.indexOf('=');
  const name = eq < 0 ? value : value.slice(0, eq);
  if (eq < 0 || !envName.test(name)) throw new InvalidArgumentError('expected NAME=VALUE with NAME a valid variable name');
  return { ...previous, [name]: value.slice(eq + 1) };
};
