import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../lambdas/core/errors';
import type { Store } from '../../../../lambdas/core/ports/stores';
import { at, secretVariableFactory, variableFactory } from '../fixtures';

const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

/**
 * The VariableStore contract. It takes any store factory, so the in-memory fake of the core tests
 * (test/core/ports/storeContract.ts) is held to the same behaviours as the DynamoDB engines.
 */
export function variablesContract(newStore: () => Promise<Store>) {
  describe('variables', () => {
    it("moves the tenant's variables version on with each write, and a submission's admission returns it", async () => {
      const { variables, queued } = await newStore();
      const first = await queued.reserve('acme', 100);
      await variables.put(variableFactory());
      await variables.put(variableFactory({ key: 'OTHER' }));
      const afterPuts = await queued.reserve('acme', 100);
      await variables.delete('acme', 'OTHER');
      await variables.delete('acme', 'MISSING');
      await queued.set('acme', 0);

      const afterDelete = await queued.reserve('acme', 100);

      expect(first).toEqual({ variablesVersion: 0 });
      expect(afterPuts).toEqual({ variablesVersion: 2 });
      // A delete of nothing changes nothing; a recount keeps the version.
      expect(afterDelete).toEqual({ variablesVersion: 3 });
      expect(await queued.reserve('other', 100)).toEqual({ variablesVersion: 0 });
    });

    it('lists no queued count for a tenant that only wrote variables', async () => {
      const { variables, queued } = await newStore();

      await variables.put(variableFactory({ tenant: 'quiet' }));

      expect(await queued.list()).toEqual([]);
    });

    it('stores, replaces and reads a plain variable exactly', async () => {
      const { variables } = await newStore();
      await variables.put(variableFactory());
      const replaced = variableFactory({ value: { lang: 'en', words: ['hi', 'there'] }, updatedAt: at(5) });

      await variables.put(replaced);

      expect(await variables.get('acme', 'GREETING')).toStrictEqual(replaced);
      expect(await variables.get('acme', 'OTHER')).toBeUndefined();
    });

    it('gives back every JSON value exactly as it was put', async () => {
      const { variables } = await newStore();
      const values: Record<string, unknown> = {
        NULL: null,
        FALSE: false,
        ZERO: 0,
        FRACTION: 0.1,
        HUGE: 1e300,
        TINY: 1e-300,
        // eslint-disable-next-line no-loss-of-precision -- the point: a number JSON cannot keep exactly
        PAST_2_53: 12345678901234567890,
        EMPTY_TEXT: '',
        EMPTY_OBJECT: {},
        EMPTY_LIST: [],
        EMPTY_NAME: { '': 1 },
        NESTED: { a: [1, { b: null, c: 'ÆØÅ 🔑' }], d: { e: true } },
      };

      for (const [key, value] of Object.entries(values)) await variables.put(variableFactory({ key, value }));

      for (const [key, value] of Object.entries(values)) {
        expect(await variables.get('acme', key), key).toStrictEqual(variableFactory({ key, value }));
      }
    });

    it('keeps a plain variable without a value as one without a value', async () => {
      const { variables } = await newStore();
      const { value: _, ...valueless } = variableFactory();

      await variables.put(valueless);

      expect(await variables.get('acme', 'GREETING')).toStrictEqual(valueless);
    });

    it('stores a secret as its ciphertext only', async () => {
      const { variables } = await newStore();
      const secret = secretVariableFactory();

      await variables.put(secret);

      const read = await variables.get('acme', 'DB_PASSWORD');
      expect(read).toStrictEqual(secret);
      expect(read).not.toHaveProperty('value');
      expect(await variables.list('acme')).toStrictEqual([secret]);
    });

    it('refuses a secret that carries a plaintext value, or no ciphertext, and stores nothing', async () => {
      const { variables } = await newStore();

      const withValue = await rejection(variables.put(secretVariableFactory({ value: 'hunter2' })));
      const withoutCiphertext = await rejection(variables.put(secretVariableFactory({ ciphertext: undefined })));

      expect(withValue).toBeInstanceOf(ValidationError);
      expect(withValue).toMatchObject({ code: 'invalid_input', field: 'value' });
      expect(withoutCiphertext).toMatchObject({ code: 'invalid_input', field: 'ciphertext' });
      expect(await variables.list('acme')).toEqual([]);
    });

    it('refuses a plain variable that carries a ciphertext', async () => {
      const { variables } = await newStore();

      await expect(variables.put(variableFactory({ ciphertext: 'v1.x.y' }))).rejects.toMatchObject({ field: 'ciphertext' });
    });

    it('replaces a secret with a plain value and back, keeping only what the current kind holds', async () => {
      const { variables } = await newStore();
      const plain = variableFactory({ key: 'TOKEN', value: 'visible', updatedAt: at(1) });
      const secret = secretVariableFactory({ key: 'TOKEN', updatedAt: at(2) });

      await variables.put(secretVariableFactory({ key: 'TOKEN' }));
      await variables.put(plain);
      const afterPlain = await variables.get('acme', 'TOKEN');
      await variables.put(secret);

      expect(afterPlain).toStrictEqual(plain);
      expect(await variables.get('acme', 'TOKEN')).toStrictEqual(secret);
    });

    it("lists all of a tenant's variables in key order, and only theirs", async () => {
      const { variables } = await newStore();
      await Promise.all(['b_two', 'A_ONE', 'c.three', 'B-x'].map((key) => variables.put(variableFactory({ key }))));
      await variables.put(secretVariableFactory({ key: 'A_SECRET' }));
      await variables.put(variableFactory({ tenant: 'globex', key: 'A_ONE', value: 'theirs' }));

      const listed = await variables.list('acme');

      expect(listed.map((v) => v.key)).toEqual(['A_ONE', 'A_SECRET', 'B-x', 'b_two', 'c.three']);
      expect(listed[0]).toStrictEqual(variableFactory({ key: 'A_ONE' }));
      expect(await variables.list('initech')).toEqual([]);
    });

    it('lists a tenant whose variables span more than one DynamoDB page (1 MB)', async () => {
      const { variables } = await newStore();
      const big = 'x'.repeat(250_000);
      const keys = ['V1', 'V2', 'V3', 'V4', 'V5'];
      for (const key of keys) await variables.put(variableFactory({ key, value: big }));

      const listed = await variables.list('acme');

      expect(listed.map((v) => v.key)).toEqual(keys);
      expect(listed.every((v) => v.value === big)).toBe(true);
    });

    it("keeps tenants apart: the same key is another tenant's own variable", async () => {
      const { variables } = await newStore();
      await variables.put(variableFactory({ value: 'ours' }));
      await variables.put(variableFactory({ tenant: 'globex', value: 'theirs' }));

      expect(await variables.delete('globex', 'GREETING')).toBe(true);

      expect(await variables.get('acme', 'GREETING')).toMatchObject({ value: 'ours' });
      expect(await variables.get('globex', 'GREETING')).toBeUndefined();
      expect((await variables.list('acme')).map((v) => v.value)).toEqual(['ours']);
    });

    it('deletes a variable and tells whether it existed', async () => {
      const { variables } = await newStore();
      await variables.put(variableFactory());

      expect(await variables.delete('acme', 'GREETING')).toBe(true);
      expect(await variables.delete('acme', 'GREETING')).toBe(false);
      expect(await variables.get('acme', 'GREETING')).toBeUndefined();
      expect(await variables.list('acme')).toEqual([]);
    });

    it('rejects "#" or an empty string in a tenant or key, naming the field', async () => {
      const { variables } = await newStore();

      const cases = [
        ['key', () => variables.put(variableFactory({ key: 'A#B' }))],
        ['tenant', () => variables.put(variableFactory({ tenant: 'acme#VAR' }))],
        ['key', () => variables.get('acme', '')],
        ['tenant', () => variables.list('a#b')],
        ['key', () => variables.delete('acme', 'x#y')],
      ] as const;

      for (const [field, attempt] of cases) {
        expect(await rejection(attempt())).toMatchObject({ name: 'ValidationError', code: 'invalid_input', field });
      }
    });

    it('refuses a plain value too large for one item, naming the value', async () => {
      const { variables } = await newStore();

      const err = await rejection(variables.put(variableFactory({ value: 'x'.repeat(300_000) })));

      expect(err).toMatchObject({ name: 'ValidationError', field: 'value' });
      expect(await variables.get('acme', 'GREETING')).toBeUndefined();
    });

    it('hands out copies: changing a put or returned variable changes nothing stored', async () => {
      const { variables } = await newStore();
      const put = variableFactory({ value: { n: 1 } });
      await variables.put(put);
      (put.value as { n: number }).n = 2;

      const read = await variables.get('acme', 'GREETING');
      (read!.value as { n: number }).n = 3;
      const listed = await variables.list('acme');
      (listed[0]!.value as { n: number }).n = 4;

      expect(await variables.get('acme', 'GREETING')).toMatchObject({ value: { n: 1 } });
    });
  });
}
