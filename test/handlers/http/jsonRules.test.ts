import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, reservedKeyProblem, storableProblem } from '../../../lambdas/handlers/http/jsonRules';
import { parseJsonBody } from '../../../lambdas/handlers/http/parse';

const nested = (depth: number): unknown => (depth === 0 ? 1 : [nested(depth - 1)]);

describe('the JSON value rules', () => {
  it.each([
    ['a constructor key', { constructor: 1 }, ['constructor']],
    ['a nested __proto__ key', JSON.parse('{"a":[{"__proto__":{"x":1}}]}'), ['a', 0, '__proto__']],
  ])('finds %s with the path leading to it', (_what, value, path) => {
    expect(reservedKeyProblem(value)).toEqual({ path, message: expect.stringMatching(/is not accepted/) });
  });

  it('lets ordinary keys, including other Object.prototype names, through', () => {
    expect(reservedKeyProblem({ toString: 1, hasOwnProperty: 2, prototype: 3, '': 4, list: [{ a: null }] })).toBeUndefined();
  });

  it.each([
    ['1e21', 1e21, []],
    ['an integer past 2^53', { n: 2 ** 53 }, ['n']],
    ['-1.5e300', [0, -1.5e300], [1]],
    ['5e-324 (below DynamoDB’s smallest magnitude)', { a: { b: 5e-324 } }, ['a', 'b']],
  ])('refuses %s, which the job record cannot hold exactly', (_what, value, path) => {
    expect(storableProblem(value)).toEqual({ path, message: expect.stringMatching(/^numbers must be/) });
  });

  it('accepts the numbers DynamoDB holds: zero, fractions, safe integers, down to 1e-130', () => {
    expect(
      storableProblem([0, -0, 0.1, 1.5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1e-130, 'text', true, null]),
    ).toBeUndefined();
  });

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses one more`, () => {
    expect(storableProblem(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(storableProblem(nested(MAX_JSON_DEPTH + 1))).toMatchObject({ message: expect.stringMatching(/nest at most/) });
  });

  it('makes parseJsonBody refuse a reserved key anywhere in a body, naming the field', () => {
    expect(() => parseJsonBody('{"env":{"constructor":"x"}}')).toThrow(/^env\.constructor: the key "constructor" is not accepted$/);
    expect(() => parseJsonBody('{"input":[{"__proto__":1}]}')).toThrow(/^input\.0\.__proto__: /);
    expect(parseJsonBody('{"input":{"toString":1}}')).toEqual({ input: { toString: 1 } });
  });
});
