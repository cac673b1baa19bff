import { describe, expect, it } from 'vitest';
import { interpretBatchResponse } from '../../../lambdas/local/queue/interpretBatchResponse';

const ids = ['m1', 'm2', 'm3'];

describe('interpretBatchResponse', () => {
  it.each([
    ['no response', undefined],
    ['a null response', null],
    ['an empty response', {}],
    ['a null batchItemFailures', { batchItemFailures: null }],
    ['an empty batchItemFailures', { batchItemFailures: [] }],
  ])('treats %s as a full success', (_label, response) => {
    expect(interpretBatchResponse(response, ids)).toEqual({ kind: 'success' });
  });

  it('lists the failed message ids of a partial failure', () => {
    const response = { batchItemFailures: [{ itemIdentifier: 'm2' }, { itemIdentifier: 'm3' }] };

    const outcome = interpretBatchResponse(response, ids);

    expect(outcome).toEqual({ kind: 'partial', failedIds: new Set(['m2', 'm3']) });
  });

  it.each([
    ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a misspelt key', { batchItemFailures: [{ itemIdentifer: 'm1' }] }],
    ['an id not in the batch', { batchItemFailures: [{ itemIdentifier: 'm9' }] }],
    ['a non-list batchItemFailures', { batchItemFailures: 'm1' }],
    ['a string response', 'ok'],
  ])('fails the whole batch on %s', (_label, response) => {
    expect(interpretBatchResponse(response, ids)).toMatchObject({ kind: 'failure' });
  });
});
