import type { CoreConfig } from './config';
import type { Broadcaster, Clock, ExecutionLauncher, IdGenerator, JobQueue, Logger, SecretCipher, ServerAccess, Store } from './ports';

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
}
