import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../lambdas/core/errors';
import { at, eventFactory } from '../fixtures';
import type { NewStore } from './context';

export function eventsContract(newStore: NewStore) {
  describe('events', () => {
    it('stores, replaces and reads an event exactly', async () => {
      const { events } = await newStore();
      await events.put(eventFactory());
      const renamed = eventFactory({ name: 'weekly', updatedAt: at(9) });

      await events.put(renamed);

      expect(await events.get('acme', 'ev1')).toStrictEqual(renamed);
      expect(await events.get('globex', 'ev1')).toBeUndefined();
    });

    it("lists a tenant's events newest first, page by page", async () => {
      const { events } = await newStore();
      await Promise.all([1, 2, 3].map((i) => events.put(eventFactory({ id: `ev${i}`, createdAt: at(i) }))));
      await events.put(eventFactory({ tenant: 'globex', id: 'g1' }));

      const first = await events.list('acme', { limit: 2 });
      const second = await events.list('acme', { limit: 2, cursor: first.nextCursor });

      expect(first.items.map((e) => e.id)).toEqual(['ev3', 'ev2']);
      expect(second.items.map((e) => e.id)).toEqual(['ev1']);
      expect(second).not.toHaveProperty('nextCursor');
      expect(second.items[0]).toStrictEqual(eventFactory({ id: 'ev1', createdAt: at(1) }));
      await expect(events.list('acme', { limit: 2, cursor: 'garbage!' })).rejects.toBeInstanceOf(ValidationError);
    });

    it('deletes an event and tells whether it existed', async () => {
      const { events } = await newStore();
      await events.put(eventFactory());

      expect(await events.delete('globex', 'ev1')).toBe(false);
      expect(await events.delete('acme', 'ev1')).toBe(true);
      expect(await events.delete('acme', 'ev1')).toBe(false);
      expect(await events.get('acme', 'ev1')).toBeUndefined();
      expect((await events.list('acme', { limit: 10 })).items).toEqual([]);
    });
  });
}
