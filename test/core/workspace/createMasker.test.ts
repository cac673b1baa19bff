import { describe, expect, it } from 'vitest';
import { createMasker } from '../../../lambdas/core/workspace/createMasker';

describe('createMasker', () => {
  it('masks a secret printed whole or inside a longer line, every time it appears', () => {
    const mask = createMasker(['hunter22']);

    expect(mask('hunter22')).toBe('***');
    expect(mask('token=hunter22; again hunter22!')).toBe('token=***; again ***!');
  });

  it('masks the longer of two overlapping secrets whole', () => {
    const mask = createMasker(['abcd', 'abcdefgh']);

    expect(mask('x abcdefgh y abcd')).toBe('x *** y ***');
  });

  it('leaves secrets shorter than four characters alone, and treats regex characters literally', () => {
    const mask = createMasker(['abc', 'a.b*c+']);

    expect(mask('abc a.b*c+ axbbc')).toBe('abc *** axbbc');
  });
});
