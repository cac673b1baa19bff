/** The JSON rules live in the core, which applies them to job outputs too; the edge applies them to bodies. */
export { MAX_JSON_DEPTH, RESERVED_KEYS, reservedKeyProblem, storableProblem } from '../../core';
export type { JsonProblem } from '../../core';
