import { describe, expect, it } from 'vitest';
import { createIdGenerator } from '../../../lambdas/adapters/system';

describe('createIdGenerator', () => {
  it('makes ids that sort in creation order, also within one millisecond', () => {
    let now = 1_700_000_000_000;
    const ids = createIdGenerator({ now: () => now });

    const made = [ids.next(), ids.next(), ((now += 1), ids.next()), ids.next()];

    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(4);
    expect(made[0]).toMatch(/^[0-9a-z]{26}$/);
  });

  it('makes URL-safe secrets with 256 bits of randomness', () => {
    const secret = createIdGenerator().secret();

    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createIdGenerator().secret()).not.toBe(secret);
  });
});
