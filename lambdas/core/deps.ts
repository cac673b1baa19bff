import type { CoreConfig } from './config';
import type {
  Broadcaster,
  Clock,
  CronMatcher,
  ExecutionLauncher,
  IdGenerator,
  JobQueue,
  Logger,
  SecretCipher,
  ServerAccess,
  Store,
} from './ports';

/** Everything the use cases need from the outside world, wired once per runtime. */
export interface CoreDeps {
  store: Store;
  queue: JobQueue;
  launcher: ExecutionLauncher;
  broadcaster: Broadcaster;
  clock: Clock;
  ids: IdGenerator;
  config: CoreConfig;
  logger: Logger;
  cipher: SecretCipher;
  serverAccess: ServerAccess;
  /** Cron matching on a zone-less wall clock (croner); zones and DST are the core's. */
  cron: CronMatcher;
}
