import type { NotificationRecord, ToolStore } from '../../../lambdas/core';

/** The ToolStore in memory, with what it holds for assertions. */
export const createMemoryToolStore = () => {
  const notifications = new Map<string, NotificationRecord>();
  const secrets = new Map<string, string>();
  const keyOf = (r: Pick<NotificationRecord, 'tenant' | 'jobId' | 'id'>) => `${r.tenant}/${r.jobId}/${r.id}`;
  const store: ToolStore = {
    async createNotification(r) {
      if (notifications.has(keyOf(r))) return false;
      notifications.set(keyOf(r), structuredClone(r));
      return true;
    },
    async updateNotification(r) {
      const stored = notifications.get(keyOf(r));
      if (stored?.version !== r.version - 1) return false;
      notifications.set(keyOf(r), structuredClone(r));
      return true;
    },
    async listNotifications(tenant, jobId) {
      return [...notifications.values()].filter((r) => r.tenant === tenant && r.jobId === jobId).map((r) => structuredClone(r));
    },
    async dueNotifications(until, limit) {
      return [...notifications.values()]
        .filter((r) => r.status === 'pending' && r.nextAttemptAt !== undefined && r.nextAttemptAt <= until)
        .sort((a, b) => a.nextAttemptAt!.localeCompare(b.nextAttemptAt!))
        .slice(0, limit)
        .map((r) => structuredClone(r));
    },
    async getSigningSecret(tenant) {
      return secrets.get(tenant);
    },
    async putSigningSecret(tenant, ciphertext) {
      if (secrets.has(tenant)) return false;
      secrets.set(tenant, ciphertext);
      return true;
    },
  };
  return { store, all: () => [...notifications.values()] };
};
