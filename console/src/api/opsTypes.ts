// The shapes of the servers, keys and stats pages, as the REST API returns them (README.md, "The API").

/** A server as the API shows it: never its key or passphrase. */
export interface Server {
  id: string;
  name: string;
  host: string;
  port: number;
  username: string;
  hostKeyFingerprint?: string;
  hostKeyTrustedAt?: string;
  createdAt: string;
  updatedAt: string;
}

/** `POST /servers` and `PATCH /servers/{id}` (every field optional on PATCH). */
export interface ServerInput {
  name: string;
  host: string;
  port?: number;
  username: string;
  privateKey: string;
  passphrase?: string;
  hostKeyFingerprint?: string;
}

/** `POST /servers/{id}/test`: a failed connection is an answer (200), not an error. */
export type ServerTestResult =
  { ok: true; fingerprint: string; latencyMs: number; remoteUser: string } | { ok: false; error: { code: string; message: string } };

export const keyRoles = ['user', 'admin', 'operator'] as const;
export type KeyRole = (typeof keyRoles)[number];

export interface ApiKeyView {
  id: string;
  tenant: string;
  role: KeyRole;
  createdAt: string;
  lastFour: string;
}

/** `POST /keys`: the secret `key` is in this answer only. */
export interface CreatedKey extends Omit<ApiKeyView, 'lastFour'> {
  key: string;
}

export interface StatsSummary {
  jobs: number;
  byStatus: Record<'completed' | 'failed' | 'timeout' | 'cancelled', number>;
  byErrorCode: Record<string, number>;
  /** completed / (jobs − cancelled); null when nothing counts. */
  successRate: number | null;
  durationMs: { count: number; p50: number | null; p95: number | null; p99: number | null };
  queueWaitMs: { count: number; p50: number | null; p95: number | null };
}

export interface StatsReport {
  from: string;
  to: string;
  eventId?: string;
  total: StatsSummary;
  byRuntime: Partial<Record<string, StatsSummary>>;
  byEvent: (StatsSummary & { eventId: string; eventName?: string })[];
  percentileRelativeError: number;
}
