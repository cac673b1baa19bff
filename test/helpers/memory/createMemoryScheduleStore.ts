import { ConflictError, ValidationError } from '../../../lambdas/core/errors';
import type { Schedule, ScheduleFire } from '../../../lambdas/core';
import type { ScheduleStore } from '../../../lambdas/core/ports';
import { listNewestFirst } from './createMemoryStore';

const copy = <T>(v: T): T => structuredClone(v);
const part = (field: string, v: string): string => {
  if (typeof v !== 'string' || v.length === 0 || v.includes('#'))
    throw new ValidationError(field, 'must be a non-empty string without "#"');
  return v;
};
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The ScheduleStore in memory, with the DynamoDB adapter's semantics (version-checked updates, claims created only once). */
export const createMemoryScheduleStore = (): ScheduleStore => {
  const schedules = new Map<string, Schedule>();
  const fires = new Map<string, ScheduleFire>();
  const keyOf = (tenant: string, id: string) => `${part('tenant', tenant)}#${part('scheduleId', id)}`;
  const fireKey = (tenant: string, scheduleId: string, fireAt: string) => `${keyOf(tenant, scheduleId)}#${fireAt}`;
  const firesOf = (tenant: string, scheduleId: string) => {
    const prefix = `${keyOf(tenant, scheduleId)}#`;
    return [...fires.entries()].filter(([k]) => k.startsWith(prefix)).map(([, f]) => f);
  };

  return {
    async create(s) {
      const k = keyOf(s.tenant, s.id);
      if (schedules.has(k)) throw new ConflictError(`schedule ${s.id} already exists`);
      schedules.set(k, copy(s));
    },
    async get(tenant, id) {
      const s = schedules.get(keyOf(tenant, id));
      return s ? copy(s) : undefined;
    },
    async list(tenant, q) {
      part('tenant', tenant);
      const rows = [...schedules.values()].filter((s) => s.tenant === tenant).map((s) => ({ sortKey: `${s.createdAt}#${s.id}`, value: s }));
      return listNewestFirst(rows, q);
    },
    async update(s) {
      const k = keyOf(s.tenant, s.id);
      const stored = schedules.get(k);
      if (!stored || stored.version !== s.version - 1) throw new ConflictError(`schedule ${s.id} changed since it was read`);
      schedules.set(k, copy(s));
    },
    async delete(tenant, id) {
      return schedules.delete(keyOf(tenant, id));
    },
    async due(until, limit) {
      const sortKey = (s: Schedule) => `${s.nextFireAt}#${s.tenant}#${s.id}`;
      return [...schedules.values()]
        .filter((s) => s.enabled && s.nextFireAt !== undefined && s.nextFireAt <= until)
        .sort((a, b) => byString(sortKey(a), sortKey(b)))
        .slice(0, limit)
        .map(copy);
    },
    async claimFire(fire) {
      const k = fireKey(fire.tenant, fire.scheduleId, fire.fireAt);
      if (fires.has(k)) return false;
      fires.set(k, copy(fire));
      return true;
    },
    async getFire(tenant, scheduleId, fireAt) {
      const f = fires.get(fireKey(tenant, scheduleId, fireAt));
      return f ? copy(f) : undefined;
    },
    async recordFire(fire) {
      fires.set(fireKey(fire.tenant, fire.scheduleId, fire.fireAt), copy(fire));
    },
    async listFires(tenant, scheduleId, q) {
      const all = firesOf(tenant, scheduleId).sort((a, b) => byString(a.fireAt, b.fireAt));
      const chosen = q.order === 'newest' ? all.reverse() : all.filter((f) => f.fireAt >= q.from);
      return chosen.slice(0, q.limit).map(copy);
    },
  };
};
