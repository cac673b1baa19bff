/** Entry point of the local control plane (`lambdas/local/main`): runs until SIGINT/SIGTERM, configured by `CRONIUM_*` variables. */
export type LocalRuntimeModule = { runLocal: (env?: Record<string, string | undefined>) => Promise<unknown> };

/** Tunables and seams of the CLI; every field has a production default. */
export interface CliDeps {
  /** How often the REST fallback polls a job's status and logs. */
  pollIntervalMs: number;
  /** How long to wait for the socket to deliver lines up to `lastSeq` before fetching them over REST. */
  tailGraceMs: number;
  /** How often to double-check a followed job's status over REST while on the socket. */
  statusCheckMs: number;
  /** Give up on a WebSocket handshake after this long and poll instead. */
  wsHandshakeTimeoutMs: number;
  /** Loads the local control plane; replaced in tests so `start` never boots a real one. */
  loadLocalRuntime: () => Promise<LocalRuntimeModule>;
}

// A variable specifier keeps the CLI typechecking and running before (or
// without) the local runtime module; tsx resolves the extensionless path.
const localRuntimeSpecifier = '../../lambdas/local/main';

/** Production defaults. */
export const defaultDeps: CliDeps = {
  pollIntervalMs: 500,
  tailGraceMs: 1000,
  statusCheckMs: 2000,
  wsHandshakeTimeoutMs: 5000,
  loadLocalRuntime: () => import(localRuntimeSpecifier) as Promise<LocalRuntimeModule>,
};
