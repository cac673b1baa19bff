import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadOrCreateLocalCipher } from '../adapters/crypto';
import { createDockerHealthChecks, createDockerLauncher } from '../adapters/docker';
import { createPromMetrics } from '../adapters/metrics';
import { createGuardedNetwork, createHttpLauncher, isHttpRef, parseHttpAllowList } from '../adapters/http';
import { createToolActions, createToolLauncher, isToolRef } from '../adapters/tools';
import { routeJobs } from '../adapters/routing';
import { createSshExecutor, createSshLauncher, createSshServerAccess, isSshRef } from '../adapters/ssh';
import { createCronerMatcher } from '../adapters/cron';
import { createDynamoCircuitStore, createDynamoStore, createDynamoToolStore, ensureTable } from '../adapters/dynamodb';
import { createBackoffRetry, createIdGenerator, createPinoLogger, systemClock } from '../adapters/system';
import type { Env } from '../config/coreConfigFromEnv';
import { coreConfigFromEnv, numberFromEnv } from '../config/coreConfigFromEnv';
import type { ControlPlane } from '../core';
import { countPushes, createControlPlane, createExecutionReports, createToolRunner, toolJobData, WorkspaceLimits } from '../core';
import { createAuthorizerHandler } from '../handlers/authorizer';
import { createDeadLettersHandler } from '../handlers/deadLetters';
import { createDispatcherHandler } from '../handlers/dispatcher';
import { createTickHandler } from '../handlers/tick';
import { createRestHandler } from '../handlers/rest';
import { createLogDownloadStream } from '../handlers/rest/logDownloadRoutes';
import { createWebSocketHandler } from '../handlers/websocket';
import { PublicPaths } from '../handlers/rest/healthRoutes';
import { ensureAdminKey } from './adminKey';
import { ensureInstanceId } from './instanceId';
import { holdPrivateUmask, prepareDataDir } from './dataDir';
import { startEmbeddedDynamo } from './embeddedDynamo';
import { createDirectBroadcaster, createLocalGateway } from './gateway';
import { createLocalJobQueue, createLocalQueue, createQueuePoller } from './queue';
import type { LocalSettings } from './localSettings';
import { localSettingsFromEnv } from './localSettings';
import { startTickTimer } from './startTickTimer';
import { localQueueHealthCheck, sshPoolGauges } from './localHealthChecks';
import { croniumVersion } from './version';

const TABLE = 'cronium';

export interface LocalControlPlane {
  url: string;
  wsUrl: string;
  adminKey: string;
  adminKeyCreated: boolean;
  settings: LocalSettings;
  cp: ControlPlane;
  /**
   * Stops taking work (tick, queue pollers), lets REST requests being answered finish for up to
   * `graceMs` (default 10 s), then closes everything; running containers are left to be
   * re-attached on the next start (docs/operate.md).
   */
  close(opts?: { graceMs?: number }): Promise<void>;
}

/**
 * The one-machine composition root: the same core and handlers as on AWS, with dynalite behind the
 * real DynamoDB client, a local SQS-like queue feeding the dispatcher handler, the local gateway in front
 * of the REST and WebSocket handlers (its management API behind the real client), and Docker containers.
 */
export const createLocalControlPlane = async (env: Env = process.env): Promise<LocalControlPlane> => {
  const settings = localSettingsFromEnv(env);
  const config = coreConfigFromEnv(env);
  const logger = createPinoLogger({ level: settings.logLevel });
  const releaseUmask = holdPrivateUmask();
  await prepareDataDir(settings.dataDir, { logger });

  const cipher = await loadOrCreateLocalCipher({ dataDir: settings.dataDir });
  const dynamo = await startEmbeddedDynamo({ dataDir: settings.dataDir, logger });
  await ensureTable(dynamo.client, TABLE);

  const deadLetters = createLocalQueue({ name: 'cronium-jobs-dlq' });
  const queue = createLocalQueue({
    name: 'cronium-jobs',
    visibilityTimeoutMs: 60_000,
    redrivePolicy: { deadLetterQueue: deadLetters, maxReceiveCount: settings.maxReceiveCount },
  });

  const sshExecutor = createSshExecutor({
    logger,
    // The same store-backed breakers as on AWS (one item per server in the table).
    circuits: createDynamoCircuitStore({ tableName: TABLE, client: dynamo.client }),
    breaker: {
      failureThreshold: numberFromEnv(env, 'CRONIUM_SSH_BREAKER_FAILURES', 3, { integer: true }),
      coolDownMs: numberFromEnv(env, 'CRONIUM_SSH_BREAKER_COOLDOWN_MS', 30_000, { integer: true }),
    },
  });
  const metrics = createPromMetrics({
    beforeScrape: [
      sshPoolGauges(
        () => sshExecutor.poolStats(),
        () => sshExecutor.circuitStates(),
      ),
    ],
  });

  const managementKeyId = `LOCAL${randomBytes(8).toString('hex').toUpperCase()}`;
  const handlers: Partial<{
    rest: ReturnType<typeof createRestHandler>;
    authorizer: ReturnType<typeof createAuthorizerHandler>;
    websocket: ReturnType<typeof createWebSocketHandler>;
    restStream: ReturnType<typeof createLogDownloadStream>;
  }> = {};
  const gateway = createLocalGateway({
    host: settings.host,
    port: settings.port,
    rest: (event, context) => handlers.rest!(event, context),
    restAuthorizer: (event) => handlers.authorizer!(event),
    // Log downloads stream here (every line, no 6 MB payload); the REST handler answers them in parts on AWS.
    restStream: (event) => handlers.restStream!(event),
    publicPaths: [...PublicPaths],
    // Loopback only unless CRONIUM_METRICS_TOKEN is set (docs/operate.md).
    metrics: { render: () => metrics.render(), contentType: metrics.contentType, token: env['CRONIUM_METRICS_TOKEN'] || undefined },
    wsPath: '/ws',
    // The web console on the APIs' own origin: its config names no other (docs/console.md).
    console: { dir: settings.consoleDir, config: { apiUrl: '', wsUrl: '/ws' } },
    wsAuthorizer: (event) => handlers.authorizer!(event),
    websocket: (event) => handlers.websocket!(event as never),
    managementAccessKeyId: managementKeyId,
    logger,
  });
  const { url } = await gateway.listen();

  // Pushes go straight into the gateway's connections; its management API stays for other callers (docs/architecture.md).
  const broadcaster = countPushes(createDirectBroadcaster({ gateway }), metrics);
  const images = {
    bash: `${settings.imagePrefix}/bash:latest`,
    python: `${settings.imagePrefix}/python:latest`,
    node: `${settings.imagePrefix}/node:latest`,
  };
  // The queue check reads the poller, which starts last.
  const work: { poller?: ReturnType<typeof createQueuePoller> } = {};
  const deps = {
    store: createDynamoStore({ tableName: TABLE, client: dynamo.client }),
    queue: createLocalJobQueue({ queue }),
    broadcaster,
    clock: systemClock,
    ids: createIdGenerator(),
    config,
    logger,
    cipher,
    serverAccess: createSshServerAccess(sshExecutor),
    cron: createCronerMatcher(),
    // Tool jobs and notifications: the SSRF guard of http jobs, state in the same table (docs/notifications.md).
    tools: {
      actions: createToolActions({ network: createGuardedNetwork({ allow: parseHttpAllowList(env['CRONIUM_HTTP_ALLOW']) }) }),
      store: createDynamoToolStore({ tableName: TABLE, client: dynamo.client }),
      settings: {
        maxAttempts: numberFromEnv(env, 'CRONIUM_NOTIFY_MAX_ATTEMPTS', 5, { integer: true }),
        backoffMs: numberFromEnv(env, 'CRONIUM_NOTIFY_BACKOFF_MS', 5_000, { integer: true }),
      },
    },
    metrics,
    health: {
      version: croniumVersion(),
      checks: [...createDockerHealthChecks({ images }), localQueueHealthCheck({ queue, deadLetters, poller: () => work.poller })],
    },
  };
  // Reports need no launcher: built first, given to the launchers, then to the control plane.
  const reports = createExecutionReports({ ...deps, retry: createBackoffRetry() });
  const containers = createDockerLauncher({
    events: reports,
    logger,
    instance: await ensureInstanceId(settings.dataDir),
    images,
  });
  const http = createHttpLauncher({
    events: reports,
    logger,
    allow: parseHttpAllowList(env['CRONIUM_HTTP_ALLOW']),
    maxBodyBytes: WorkspaceLimits.maxValueBytes,
  });
  const ssh = createSshLauncher({ executor: sshExecutor, events: reports, logger });
  const toolRunner = createToolRunner(deps);
  const tools = createToolLauncher({
    events: reports,
    logger,
    run: (job, signal) => toolRunner.perform(job.tenant, job.tool!, toolJobData(job), { signal }),
  });
  const launcher = routeJobs(
    [
      { launcher: http, takes: (job) => job.runtime === 'http', owns: isHttpRef },
      { launcher: tools, takes: (job) => job.runtime === 'tool', owns: isToolRef },
      { launcher: ssh, takes: (job) => job.target?.type === 'ssh', owns: isSshRef },
    ],
    containers,
  );
  const cp = createControlPlane({ ...deps, launcher }, { reports });
  handlers.rest = createRestHandler(cp, logger);
  handlers.restStream = createLogDownloadStream(cp, logger);
  handlers.authorizer = createAuthorizerHandler(cp);
  handlers.websocket = createWebSocketHandler(cp, broadcaster, logger);

  const admin = await ensureAdminKey(cp, settings.dataDir);
  const recovered = await cp.reconcile({ afterRestart: true });
  logger.info({ ...recovered }, 'reconciled with the containers left from a previous run');

  const poller = createQueuePoller({
    queue,
    handler: createDispatcherHandler(cp, logger),
    concurrency: 2,
    visibilityTimeoutMs: 60_000,
    logger,
  });
  work.poller = poller;
  poller.start();
  // The same tick handler EventBridge invokes on AWS, and the same consumer of the dead-letter queue.
  const ticker = startTickTimer({ handler: createTickHandler(cp, logger), intervalMs: settings.reapIntervalMs, logger });
  const deadLetterPoller = createQueuePoller({
    queue: deadLetters,
    handler: createDeadLettersHandler(cp, logger),
    concurrency: 1,
    functionName: 'deadLetters',
    logger,
  });
  deadLetterPoller.start();
  await writeFile(join(settings.dataDir, 'endpoint'), `${url}\n`, { mode: 0o600 });

  return {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/ws`,
    adminKey: admin.key,
    adminKeyCreated: admin.created,
    settings,
    cp,
    async close(opts = {}) {
      await ticker.stop();
      await poller.stop();
      await deadLetterPoller.stop();
      // The API stays up until its requests are answered: a cancel still needs the launchers.
      await gateway.close({ graceMs: opts.graceMs ?? 10_000 });
      await http.close();
      await tools.close();
      await ssh.close();
      await containers.close();
      await dynamo.close();
      releaseUmask();
    },
  };
};
