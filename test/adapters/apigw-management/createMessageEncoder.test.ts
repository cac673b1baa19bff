import { describe, expect, it } from 'vitest';
import { createMessageEncoder } from '../../../lambdas/adapters/apigw-management';

describe('encoding pushed messages', () => {
  it('serializes one message object once, however many connections it goes to', () => {
    // Arrange
    const encode = createMessageEncoder();
    const message = { type: 'logs', jobId: 'j1', lines: [{ seq: 1, line: 'é' }] };

    // Act
    const first = encode(message);
    const second = encode(message);

    // Assert
    expect(second).toBe(first);
    expect(JSON.parse(first.toString('utf8'))).toEqual(message);
  });

  it('serializes distinct objects apart, even with equal content', () => {
    // Arrange
    const encode = createMessageEncoder();

    // Act
    const a = encode({ type: 'status', status: 'running' });
    const b = encode({ type: 'status', status: 'running' });

    // Assert
    expect(b).not.toBe(a);
    expect(b.equals(a)).toBe(true);
  });
});
