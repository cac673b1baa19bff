import { describe, expect, it } from 'vitest';
import { decodeJobMessage, encodeJobMessage, InvalidMessageError } from '../../../lambdas/adapters/sqs';

describe('job message codec', () => {
  it('decodes what it encodes', () => {
    const key = { tenant: 'acme', jobId: '01JOB' };

    const decoded = decodeJobMessage(encodeJobMessage(key));

    expect(decoded).toEqual(key);
  });

  it('encodes exactly tenant and jobId as JSON', () => {
    const key = { tenant: 'acme', jobId: '01JOB', extra: 'dropped' };

    const body = encodeJobMessage(key);

    expect(JSON.parse(body)).toEqual({ tenant: 'acme', jobId: '01JOB' });
  });

  it('ignores unknown fields a newer producer may add', () => {
    const body = JSON.stringify({ tenant: 'acme', jobId: '01JOB', attempt: 2 });

    expect(decodeJobMessage(body)).toEqual({ tenant: 'acme', jobId: '01JOB' });
  });

  it.each([
    ['not JSON', 'not json{'],
    ['a JSON string', '"acme/01JOB"'],
    ['null', 'null'],
    ['an array', '[]'],
    ['a missing jobId', '{"tenant":"acme"}'],
    ['an empty tenant', '{"tenant":"","jobId":"01JOB"}'],
    ['a numeric jobId', '{"tenant":"acme","jobId":42}'],
    ['an empty body', ''],
  ])('rejects %s with an invalid_input error', (_label, body) => {
    const decode = () => decodeJobMessage(body);

    expect(decode).toThrow(InvalidMessageError);
    expect(decode).toThrow(expect.objectContaining({ code: 'invalid_input', name: 'InvalidMessageError' }));
  });

  it('names the offending field when the shape is wrong', () => {
    const decode = () => decodeJobMessage('{"tenant":"acme"}');

    expect(decode).toThrow(/jobId/);
  });
});
