// The composition root: builds the whole service from its configuration as a stack of resources
// (resourceStack.ts), each opened in order and closed in reverse: MongoDB (sessions, audit,
// Idempotency-Keys), Redis (session copy, locks), the lifecycle queue, the outbox, the intake's
// probe log and rate limits, the lifecycle worker and its schedules, then the listening ports. A
// start that fails at one of them closes all those before it and names it.
//
// Run as the process (`tsx webhook-service/main.ts [--api-only | --worker-only]`, default both),
// it reads the configuration once (a bad value stops it with a message naming the variable, exit
// 2), builds the service and listens; a failed start names the dependency (exit 1). On
// SIGTERM/SIGINT it shuts down gracefully: /readyz answers 503 for SHUTDOWN_DRAIN_DELAY_MS while
// everything still serves (load balancers stop sending), then it stops accepting, finishes
// in-flight requests and active jobs and closes the connections. Integration tests import
// createService, the same composition, to build several services side by side in one process.
import { setTimeout as wait } from 'node:timers/promises';
import type { Express } from 'express';
import type { LifecycleRules } from '../plugin';
import { callSettingsFor } from './clinicCalls';
import { ConfigError, clinicEndpoints, loadConfig, redisTarget, type Config } from './config';
import { listen } from './http/listening';
import { createMetricsApp } from './http/metricsServer';
import { RedisRateLimiter } from './limits/RedisRateLimiter';
import { LiveKitRoomGateway } from './livekit/LiveKitRoomGateway';
import { createLogger, type Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { ClinicOutbox } from './outbox/clinicOutbox';
import { RedisProbeLog } from './probe/RedisProbeLog';
import { bullLifecycleJobs, createLifecycleQueue, ensureSchedules, scheduleReconciliation, scheduleRetention, type Schedules } from './queue/lifecycleQueue';
import { createLifecycleWorker, type LifecycleWorker } from './queue/lifecycleWorker';
import { observeReconciliation, readReconcileSummary } from './queue/reconcileSummary';
import type { RedisTarget } from './redis/connections';
import { describeFailure, ResourceStack } from './resourceStack';
import { createServiceApp, type ServiceRoles } from './serviceApp';
import { CopiedSessionStore } from './store/CopiedSessionStore';
import { MongoAuditTrail } from './store/MongoAuditTrail';
import { MongoIdempotencyKeys } from './store/MongoIdempotencyKeys';
import { MongoSessionStore } from './store/MongoSessionStore';
import { RedisSessionCopy } from './store/RedisSessionCopy';
import { RedisSessionLocks } from './store/RedisSessionLocks';
import { systemClock } from './systemClock';
import type { ClinicDeliveries } from './usecases/ports/ClinicDeliveries';
import type { ClinicEvents } from './usecases/ports/ClinicEvents';
import type { Clock } from './usecases/ports/Clock';
import type { SessionFolds } from './usecases/ports/SessionFolds';
import type { SessionStore } from './usecases/ports/SessionStore';
import { serviceVersion } from './version';

export type { ServiceRoles } from './serviceApp';

export interface Service {
  app: Express;
  metrics: Metrics;
  store: SessionStore;
  worker: LifecycleWorker | null;
  /**
   * Starts listening (and the metrics port, when METRICS_PORT is set); resolves with the bound
   * port (PORT 0 picks a free one). A port that cannot be bound stops the whole service.
   */
  listen(port: number, host: string): Promise<number>;
  /** The bound metrics port once listening, or null when /metrics is served on the main port. */
  metricsPort(): number | null;
  /** Turns /readyz to 503 (draining) while everything else still serves: the first step of a graceful shutdown. */
  drain(): void;
  /** Stops accepting, finishes in-flight requests and active jobs, then closes every connection, the last opened first. */
  stop(): Promise<void>;
}

/** How long a closed session's room stays after session_ended went out, so it lands before the disconnect. */
const ROOM_DELETE_DELAY_MS = 1000;

/** How often an API process forgets Idempotency-Keys older than IDEMPOTENCY_KEY_TTL_HOURS (every instance may; a delete twice is harmless). */
const IDEMPOTENCY_SWEEP_MS = 3600_000;

/** Without CLINIC_WEBHOOK_URLS, events go nowhere and nothing can fail. */
const noClinicEvents: ClinicEvents & ClinicDeliveries = { publish: async () => undefined, listFailed: async () => [], retry: async () => false, expireSettled: async () => 0 };

const lifecycleRulesOf = (config: Config): LifecycleRules => ({
  rejoinGraceMs: config.SESSION_REJOIN_GRACE_SECONDS * 1000,
  noShowAfterMs: config.NO_SHOW_AFTER_SECONDS === 0 ? null : config.NO_SHOW_AFTER_SECONDS * 1000,
});

/** Where a dependency is, for the start's error: the address without credentials. */
const withoutCredentials = (uri: string): string => uri.replace(/\/\/[^@/]*@/, '//');
const mongoAt = (what: string, config: Config): string => `MongoDB (${what}) at ${withoutCredentials(config.MONGODB_URI)}`;
function redisAt(what: string, target: RedisTarget): string {
  const where = target.kind === 'server' ? withoutCredentials(target.url) : `Sentinel "${target.name}" via ${target.sentinels.map(({ host, port }) => `${host}:${port}`).join(',')}`;
  return `Redis (${what}) at ${where}`;
}

export async function createService(config: Config, roles: ServiceRoles, logger: Logger, clock: Clock = systemClock): Promise<Service> {
  const stack = new ResourceStack();
  const metrics = createMetrics({ defaultMetrics: true });
  const redis = redisTarget(config);
  const rules = lifecycleRulesOf(config);
  const groupCommit = { windowMs: config.GROUP_COMMIT_WINDOW_MS, maxWrites: config.GROUP_COMMIT_MAX_WRITES };

  // MongoDB first: it holds the truth, and a start against a database not migrated stops here.
  const database = await stack.openMade(mongoAt('sessions', config), () => MongoSessionStore.connect(config.MONGODB_URI, { groupCommit }), (store) => store.close());
  const audit = await stack.openMade(mongoAt('audit trail', config), () => MongoAuditTrail.connect(config.MONGODB_URI), (trail) => trail.close());
  const idempotencyKeys = await stack.openMade(mongoAt('Idempotency-Keys', config), () => MongoIdempotencyKeys.connect(config.MONGODB_URI), (keys) => keys.close());

  const copy = await stack.open(redisAt('session copy', redis), new RedisSessionCopy({ redis, prefix: config.SESSION_COPY_PREFIX, ttlSeconds: config.SESSION_COPY_TTL_SECONDS, groupCommit }), (opened) => opened.close(), (opened) => opened.connect());
  const locks = await stack.open(redisAt('session locks', redis), new RedisSessionLocks({ redis, prefix: config.SESSION_COPY_PREFIX }), (opened) => opened.close(), (opened) => opened.connect());
  // The records and the kept folds, read through the copy: closed through its parts above.
  const store = new CopiedSessionStore(database, copy);
  const { folds } = store;

  const queue = await stack.open(redisAt('lifecycle queue', redis), createLifecycleQueue(redis, config.BULLMQ_PREFIX), (opened) => opened.close(), (opened) => opened.waitUntilReady());
  queue.on('error', (error) => logger.warn({ err: error }, 'lifecycle queue error'));
  const queueClient = () => queue.getBackend().client;
  metrics.setQueueDepthSource(() => queue.getJobCounts('waiting', 'active', 'delayed', 'failed'));
  metrics.setOpenSessionsSource(async () => readReconcileSummary(await queueClient(), config.BULLMQ_PREFIX));
  const jobs = bullLifecycleJobs(queue, clock, { attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS });

  // The outbox lives in MongoDB (Redis holds only what is due): opened whenever endpoints are set.
  const outbox =
    config.CLINIC_WEBHOOK_URLS.length > 0
      ? await stack.openMade(
          `the outbox (${mongoAt('deliveries', config)}; ${redisAt('due chains', redis)})`,
          () =>
            ClinicOutbox.open({
              mongoUri: config.MONGODB_URI,
              redis,
              prefix: config.BULLMQ_PREFIX,
              endpoints: clinicEndpoints(config),
              secrets: config.CLINIC_WEBHOOK_SECRET,
              policy: { retryForMs: config.CLINIC_WEBHOOK_RETRY_HOURS * 3600_000, backoffMs: config.CLINIC_WEBHOOK_BACKOFF_MS },
              concurrency: config.CLINIC_WEBHOOK_CONCURRENCY,
            }),
          (opened) => opened.close(),
        )
      : null;
  if (outbox) metrics.setOutboxSource(() => outbox.backlog());
  const events: ClinicEvents & ClinicDeliveries = outbox ?? noClinicEvents;

  // The doctor's probe rooms and the rate limits: only the intake uses them.
  const probes = roles.api ? await stack.open(redisAt('probe log', redis), new RedisProbeLog({ redis, prefix: config.BULLMQ_PREFIX }), (opened) => opened.close(), (opened) => opened.connect()) : null;
  const limiter = roles.api ? await stack.open(redisAt('rate limits', redis), new RedisRateLimiter({ redis, prefix: config.BULLMQ_PREFIX }), (opened) => opened.close(), (opened) => opened.connect()) : null;
  if (roles.api) {
    await stack.repeat('the Idempotency-Key sweep', IDEMPOTENCY_SWEEP_MS, () => idempotencyKeys.deleteOlderThan(new Date(clock.now() - config.IDEMPOTENCY_KEY_TTL_HOURS * 3600_000)), (error) => logger.warn({ err: error }, 'could not forget old Idempotency-Keys'));
  }

  // LiveKit is called per job and request (the worker's readiness asks it); nothing to open.
  const rooms = new LiveKitRoomGateway({
    url: config.LIVEKIT_URL,
    apiKey: config.LIVEKIT_API_KEY,
    apiSecret: config.LIVEKIT_API_SECRET,
    requestTimeoutSeconds: config.LIVEKIT_REQUEST_TIMEOUT_SECONDS,
  });
  const worker = roles.worker ? await openWorker(stack, { config, logger, metrics, clock, rules, redis, store, folds, locks, audit, jobs, events, rooms, queue }) : null;
  if (roles.worker) outbox?.startWorker(logger, (event, outcome) => metrics.clinicWebhooks.inc({ event, outcome }));

  let draining = false;
  const app = createServiceApp({
    config,
    roles,
    logger,
    metrics,
    clock,
    rules,
    store,
    folds,
    locks,
    audit,
    idempotencyKeys,
    jobs,
    events,
    outbox,
    rooms,
    probes,
    limiter,
    pingStore: () => database.ping(),
    pingRedis: async () => (await queueClient()).info(),
    isDraining: () => draining,
  });

  let metricsPort: number | null = null;
  return {
    app,
    metrics,
    store,
    worker,
    async listen(port, host) {
      if (config.METRICS_PORT !== undefined) {
        const metricsHost = config.METRICS_HOST ?? host;
        const metricsServer = await stack.openMade(`the metrics port ${metricsHost}:${config.METRICS_PORT}`, () => listen(createMetricsApp(metrics), config.METRICS_PORT as number, metricsHost), (opened) => opened.close());
        metricsPort = metricsServer.port;
      }
      const server = await stack.openMade(`the HTTP port ${host}:${port}`, () => listen(app, port, host), (opened) => opened.close());
      return server.port;
    },
    metricsPort: () => metricsPort,
    drain() {
      draining = true;
    },
    stop: () => stack.close(),
  };
}

interface WorkerParts {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  rules: LifecycleRules;
  redis: RedisTarget;
  store: SessionStore;
  folds: SessionFolds;
  locks: RedisSessionLocks;
  audit: MongoAuditTrail;
  jobs: ReturnType<typeof bullLifecycleJobs>;
  events: ClinicEvents & ClinicDeliveries;
  rooms: LiveKitRoomGateway;
  queue: ReturnType<typeof createLifecycleQueue>;
}

/** The lifecycle worker, its reconciliation and retention schedules, and the keeper that re-creates them. */
async function openWorker(stack: ResourceStack, parts: WorkerParts): Promise<LifecycleWorker> {
  const { config, logger, metrics, clock, redis, queue } = parts;
  const schedules: Schedules = {
    reconcileEveryMs: config.RECONCILE_INTERVAL_SECONDS * 1000,
    retentionEveryMs: config.RETENTION_DAYS > 0 ? config.RETENTION_INTERVAL_SECONDS * 1000 : 0,
  };
  const keepSchedules = async (): Promise<void> => {
    const recreated = await ensureSchedules(queue, schedules);
    if (recreated.length > 0) logger.warn({ recreated }, 'job schedulers were missing from Redis (data lost?): re-created, one reconciliation pass queued');
  };
  const worker = await stack.open(
    redisAt('lifecycle worker', redis),
    createLifecycleWorker(
      {
        store: parts.store,
        folds: parts.folds,
        rooms: parts.rooms,
        jobs: parts.jobs,
        events: parts.events,
        deliveries: parts.events,
        clock,
        rules: parts.rules,
        logger,
        locks: parts.locks,
        audit: parts.audit,
        retentionDays: config.RETENTION_DAYS,
        deleteAfterMs: ROOM_DELETE_DELAY_MS,
        wait: (ms) => wait(ms),
        callSettings: (clinicId) => callSettingsFor(config.CLINIC_CALL_SETTINGS, clinicId),
        onActivationRecorded: () => metrics.activations.inc(),
        onStartedSent: (seconds) => metrics.activationLatency.observe(seconds),
        ensureSchedules: keepSchedules,
      },
      {
        redis,
        prefix: config.BULLMQ_PREFIX,
        concurrency: config.WORKER_CONCURRENCY,
        lockDurationMs: config.WORKER_LOCK_DURATION_MS,
        stalledIntervalMs: config.WORKER_STALLED_INTERVAL_MS,
      },
    ),
    (opened) => opened.close(),
    (opened) => opened.waitUntilReady(),
  );
  // Kept for a few passes (at least 5 minutes), so a summary nobody refreshes goes away.
  const keepMs = Math.max(5 * config.RECONCILE_INTERVAL_SECONDS * 1000, 300_000);
  const queueRedis = await stack.step(redisAt('lifecycle queue', redis), () => queue.getBackend().client);
  observeReconciliation(worker, { metrics, redis: queueRedis, prefix: config.BULLMQ_PREFIX, now: () => clock.now(), keepMs, logger });
  await stack.step('the reconciliation and retention schedules', async () => {
    await scheduleReconciliation(queue, schedules.reconcileEveryMs);
    await scheduleRetention(queue, schedules.retentionEveryMs);
  });
  // The schedulers live in Redis only: each worker checks for them at half the interval, so a
  // Redis that lost its data gets a pass again within one interval.
  if (schedules.reconcileEveryMs > 0) await stack.repeat('the schedule keeper', schedules.reconcileEveryMs / 2, keepSchedules, (error) => logger.warn({ err: error }, 'could not check the job schedulers'));
  return worker;
}

// ---- the process ----

function rolesFrom(args: readonly string[]): ServiceRoles {
  const apiOnly = args.includes('--api-only');
  const workerOnly = args.includes('--worker-only');
  if (apiOnly && workerOnly) throw new ConfigError(['--api-only and --worker-only exclude each other']);
  return { api: !workerOnly, worker: !apiOnly };
}

async function runProcess(): Promise<void> {
  let config;
  let roles: ServiceRoles;
  try {
    config = loadConfig(process.env);
    roles = rolesFrom(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.LOG_LEVEL);
  const service = await createService(config, roles, logger);
  const port = await service.listen(config.PORT, config.HOST);
  logger.info({ port, host: config.HOST, metricsPort: service.metricsPort(), roles, ...serviceVersion() }, 'webhook service started');

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, drainDelayMs: config.SHUTDOWN_DRAIN_DELAY_MS }, 'shutting down');
    service.drain();
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'graceful shutdown timed out');
      process.exit(1);
    }, config.SHUTDOWN_DRAIN_DELAY_MS + config.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    const drained = new Promise<void>((resolve) => setTimeout(resolve, config.SHUTDOWN_DRAIN_DELAY_MS));
    drained.then(() => service.stop()).then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

// Only when run as the process: a test that imports createService starts nothing.
if (require.main === module) {
  runProcess().catch((error: unknown) => {
    // The dependency, then its causes: the last names what to do (a missing index: run the migration).
    process.stderr.write(`webhook service failed to start: ${describeFailure(error)}\n`);
    process.exit(1);
  });
}
