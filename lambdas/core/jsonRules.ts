/** A rule broken somewhere inside a JSON value: `path` leads to it from the value's root. */
export interface JsonProblem {
  path: (string | number)[];
  message: string;
}

/**
 * Object keys no stored JSON value (request body, job output) may carry, at any depth. The stores' object handling loses `__proto__`
 * silently (assigning it sets a prototype) and DynamoDB's marshalling refuses an object whose
 * `constructor` is not `Object`.
 */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor']);

/** DynamoDB's nesting limit for documents (maps and lists). */
export const MAX_JSON_DEPTH = 32;

/** Smallest non-zero magnitude a DynamoDB number holds. */
const MIN_MAGNITUDE = 1e-130;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The first object key in `value` that is one of RESERVED_KEYS. */
export const reservedKeyProblem = (value: unknown, path: (string | number)[] = []): JsonProblem | undefined => {
  if (!isObject(value)) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const at = [...path, Array.isArray(value) ? Number(key) : key];
    if (!Array.isArray(value) && RESERVED_KEYS.has(key)) return { path: at, message: `the key "${key}" is not accepted` };
    const inner = reservedKeyProblem(child, at);
    if (inner) return inner;
  }
  return undefined;
};

/**
 * The first part of a JSON value that the job record cannot hold exactly as a DynamoDB document:
 * a number past ±(2^53 − 1) (the SDK refuses to round it) or below DynamoDB's smallest magnitude,
 * or nesting deeper than MAX_JSON_DEPTH. Values kept as JSON text (variables) need no such rule.
 */
export const storableProblem = (value: unknown, path: (string | number)[] = []): JsonProblem | undefined => {
  if (typeof value === 'number') {
    const magnitude = Math.abs(value);
    if (magnitude > Number.MAX_SAFE_INTEGER || (magnitude !== 0 && magnitude < MIN_MAGNITUDE)) {
      return { path, message: `numbers must be 0 or between ${MIN_MAGNITUDE} and ${Number.MAX_SAFE_INTEGER} in magnitude` };
    }
    return undefined;
  }
  if (!isObject(value)) return undefined;
  if (path.length >= MAX_JSON_DEPTH) return { path, message: `must nest at most ${MAX_JSON_DEPTH} levels deep` };
  for (const [key, child] of Object.entries(value)) {
    const inner = storableProblem(child, [...path, Array.isArray(value) ? Number(key) : key]);
    if (inner) return inner;
  }
  return undefined;
};
