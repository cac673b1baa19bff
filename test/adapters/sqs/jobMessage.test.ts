import { describe, expect, it } from 'vitest';
import { decodeJobMessage, encodeJobMessage, InvalidMessageError, MAX_MESSAGE_WITH_JOB_BYTES } from '../../../lambdas/adapters/sqs';
import { jobFactory } from '../../helpers/factories';

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

  it('carries the job its sender wrote, and decodes it', () => {
    const job = jobFactory({ tenant: 'acme', id: '01JOB' });

    const decoded = decodeJobMessage(encodeJobMessage({ tenant: 'acme', jobId: '01JOB' }, job));

    expect(decoded).toEqual({ tenant: 'acme', jobId: '01JOB', job });
  });

  it('sends the key alone when the job would make the body larger than one 64 KiB request unit', () => {
    const job = jobFactory({ tenant: 'acme', id: '01JOB', script: 'x'.repeat(MAX_MESSAGE_WITH_JOB_BYTES) });

    const body = encodeJobMessage({ tenant: 'acme', jobId: '01JOB' }, job);

    expect(JSON.parse(body)).toEqual({ tenant: 'acme', jobId: '01JOB' });
  });

  it.each([
    ['another job', { ...jobFactory({ tenant: 'acme', id: 'OTHER' }) }],
    ['another tenant', { ...jobFactory({ tenant: 'evil', id: '01JOB' }) }],
    ['no version', { tenant: 'acme', id: '01JOB', status: 'queued', createdAt: '2026-01-01T00:00:00Z' }],
    ['a string', 'queued'],
  ])('drops a carried job naming %s, keeping the message', (_label, job) => {
    const body = JSON.stringify({ tenant: 'acme', jobId: '01JOB', job });

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
