import type { CoreConfig } from './config';
import type { NotificationSettings } from './notifications/notificationModel';
import type {
  Broadcaster,
  Clock,
  CronMatcher,
  ExecutionLauncher,
  IdGenerator,
  JobQueue,
  HealthDeps,
  Logger,
  Metrics,
  SecretCipher,
  ServerAccess,
  Store,
  ToolActions,
  ToolStore,
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
  /** Where the figures go (prom-client, EMF); none when absent. */
  metrics?: Metrics;
  /** The dependencies `/ready` and `/health` check besides the store, and the version they report. */
  health?: HealthDeps;
  /** Tool actions (tool jobs, notifications); without them no notification is sent (docs/notifications.md). */
  tools?: { actions: ToolActions; store: ToolStore; settings?: Partial<NotificationSettings> };
}
