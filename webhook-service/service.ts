// Wiring: builds the service's parts from the configuration (store and its copy, Redis
// connections, queue, worker, LiveKit gateway, express app) and takes them down in order.
// main.ts runs it as a process; integration tests build several side by side in one process.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as wait } from 'node:timers/promises';
import type { Express } from 'express';
import type { LifecycleRules } from '../plugin';
import { clinicApiKeys, redisTarget, liveKitWebhookKey, type Config } from './config';
import { createApp } from './http/app';
import { startMetricsServer, type MetricsServer } from './http/metricsServer';
import { liveKitJoinTokens } from './livekit/joinTokens';
import { liveKitParticipantCredentials } from './livekit/participantCredentials';
import { RedisRateLimiter } from './limits/RedisRateLimiter';
import { LiveKitRoomGateway } from './livekit/LiveKitRoomGateway';
import { liveKitWebhookVerifier } from './livekit/webhookVerifier';
import type { Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { ClinicOutbox } from './outbox/clinicOutbox';
import { bullLifecycleJobs, createLifecycleQueue, ensureSchedules, scheduleReconciliation, scheduleRetention, type Schedules } from './queue/lifecycleQueue';
import { createLifecycleWorker, type LifecycleWorker } from './queue/lifecycleWorker';
import { observeReconciliation, readReconcileSummary } from './queue/reconcileSummary';
import { RedisProbeLog } from './probe/RedisProbeLog';
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
import type { SessionStore } from './usecases/ports/SessionStore';

export interface ServiceRoles {
  /** Serve the webhook intake and the clinic API. */
  api: boolean;
  /** Run the lifecycle worker. */
  worker: boolean;
}

export interface Service {
  app: Express;
  metrics: Metrics;
  store: SessionStore;
  worker: LifecycleWorker | null;
  /** Starts listening (and the metrics port, when METRICS_PORT is set); resolves with the bound port (PORT 0 picks a free one). */
  listen(port: number, host: string): Promise<number>;
  /** The bound metrics port once listening, or null when /metrics is served on the main port. */
  metricsPort(): number | null;
  /** Turns /readyz to 503 (draining) while everything else still serves: the first step of a graceful shutdown. */
  drain(): void;
  /** Stops accepting, finishes in-flight requests and active jobs, then closes connections. */
  stop(): Promise<void>;
}

/** How long a closed session's room stays after session_ended went out, so it lands before the disconnect. */
const ROOM_DELETE_DELAY_MS = 1000;

/**
 * Idempotency-Key: an attempt holds its key 30 s (longer than any request runs: LiveKit calls time
 * out in LIVEKIT_REQUEST_TIMEOUT_SECONDS) before a repeat may run it again; a repeat waits up to
 * 10 s for the running attempt's answer, reading every 100 ms.
 */
const IDEMPOTENCY = { leaseMs: 30_000, waitMs: 10_000, pollMs: 100 };

/** How often an API process forgets Idempotency-Keys older than IDEMPOTENCY_KEY_TTL_HOURS (every instance may; a delete twice is harmless). */
const IDEMPOTENCY_SWEEP_MS = 3600_000;

/** Without CLINIC_WEBHOOK_URLS, events go nowhere and nothing can fail. */
const noClinicEvents: ClinicEvents & ClinicDeliveries = { publish: async () => undefined, listFailed: async () => [], retry: async () => false, expireSettled: async () => 0 };

const lifecycleRulesOf = (config: Config): LifecycleRules => ({
  rejoinGraceMs: config.SESSION_REJOIN_GRACE_SECONDS * 1000,
  noShowAfterMs: config.NO_SHOW_AFTER_SECONDS === 0 ? null : config.NO_SHOW_AFTER_SECONDS * 1000,
});

export async function createService(config: Config, roles: ServiceRoles, logger: Logger, clock: Clock = systemClock): Promise<Service> {
  const metrics = createMetrics({ defaultMetrics: true });
  const redis = redisTarget(config);
  const copy = new RedisSessionCopy({ redis, prefix: config.SESSION_COPY_PREFIX, ttlSeconds: config.SESSION_COPY_TTL_SECONDS });
  const locks = new RedisSessionLocks({ redis, prefix: config.SESSION_COPY_PREFIX });
  const database = await MongoSessionStore.connect(config.MONGODB_URI);
  const audit = await MongoAuditTrail.connect(config.MONGODB_URI).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  const idempotencyKeys = await MongoIdempotencyKeys.connect(config.MONGODB_URI).catch(async (error: unknown) => {
    await Promise.all([database.close(), audit.close()]);
    throw error;
  });
  await Promise.all([copy.connect(), locks.connect()]).catch(async (error: unknown) => {
    await Promise.all([database.close(), audit.close(), idempotencyKeys.close(), copy.close(), locks.close()]);
    throw error;
  });
  const store = new CopiedSessionStore(database, copy);
  const queue = createLifecycleQueue(redis, config.BULLMQ_PREFIX);
  queue.on('error', (error) => logger.warn({ err: error }, 'lifecycle queue error'));
  metrics.setQueueDepthSource(() => queue.getJobCounts('waiting', 'active', 'delayed', 'failed'));
  metrics.setOpenSessionsSource(async () => readReconcileSummary(await queue.getBackend().client, config.BULLMQ_PREFIX));
  const jobs = bullLifecycleJobs(queue, clock, { attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS });
  const rules = lifecycleRulesOf(config);
  // The outbox lives in MongoDB (Redis holds only what is due): built whenever endpoints are set.
  const outbox =
    config.CLINIC_WEBHOOK_URLS.length > 0
      ? await ClinicOutbox.open({
          mongoUri: config.MONGODB_URI,
          redis,
          prefix: config.BULLMQ_PREFIX,
          endpoints: config.CLINIC_WEBHOOK_URLS,
          secrets: config.CLINIC_WEBHOOK_SECRET,
          policy: { retryForMs: config.CLINIC_WEBHOOK_RETRY_HOURS * 3600_000, backoffMs: config.CLINIC_WEBHOOK_BACKOFF_MS },
          concurrency: config.CLINIC_WEBHOOK_CONCURRENCY,
        })
      : null;
  if (outbox) metrics.setOutboxSource(() => outbox.backlog());
  // The doctor's probe rooms: only the intake writes them down.
  const probes = roles.api ? new RedisProbeLog({ redis, prefix: config.BULLMQ_PREFIX }) : null;
  await probes?.connect();
  const limiter = roles.api ? new RedisRateLimiter({ redis, prefix: config.BULLMQ_PREFIX }) : null;
  await limiter?.connect();
  const events: ClinicEvents & ClinicDeliveries = outbox ?? noClinicEvents;
  if (roles.worker) outbox?.startWorker(logger, (event, outcome) => metrics.clinicWebhooks.inc({ event, outcome }));

  const rooms = new LiveKitRoomGateway({
    url: config.LIVEKIT_URL,
    apiKey: config.LIVEKIT_API_KEY,
    apiSecret: config.LIVEKIT_API_SECRET,
    requestTimeoutSeconds: config.LIVEKIT_REQUEST_TIMEOUT_SECONDS,
  });

  const schedules: Schedules = {
    reconcileEveryMs: config.RECONCILE_INTERVAL_SECONDS * 1000,
    retentionEveryMs: config.RETENTION_DAYS > 0 ? config.RETENTION_INTERVAL_SECONDS * 1000 : 0,
  };
  const keepSchedules = async (): Promise<void> => {
    const recreated = await ensureSchedules(queue, schedules);
    if (recreated.length > 0) logger.warn({ recreated }, 'job schedulers were missing from Redis (data lost?): re-created, one reconciliation pass queued');
  };

  let worker: LifecycleWorker | null = null;
  if (roles.worker) {
    worker = createLifecycleWorker(
      {
        store,
        rooms,
        jobs,
        events,
        deliveries: events,
        clock,
        rules,
        logger,
        locks,
        audit,
        retentionDays: config.RETENTION_DAYS,
        deleteAfterMs: ROOM_DELETE_DELAY_MS,
        wait: (ms) => wait(ms),
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
    );
  }

  // Connections finish initialising before the service counts as started (and before it can be stopped).
  await queue.waitUntilReady();
  await worker?.waitUntilReady();
  let scheduleKeeper: NodeJS.Timeout | null = null;
  const idempotencySweep = roles.api
    ? setInterval(() => {
        idempotencyKeys.deleteOlderThan(new Date(clock.now() - config.IDEMPOTENCY_KEY_TTL_HOURS * 3600_000)).catch((error: unknown) => logger.warn({ err: error }, 'could not forget old Idempotency-Keys'));
      }, IDEMPOTENCY_SWEEP_MS).unref()
    : null;
  if (worker) {
    // Kept for a few passes (at least 5 minutes), so a summary nobody refreshes goes away.
    const keepMs = Math.max(5 * config.RECONCILE_INTERVAL_SECONDS * 1000, 300_000);
    observeReconciliation(worker, { metrics, redis: await queue.getBackend().client, prefix: config.BULLMQ_PREFIX, now: () => clock.now(), keepMs, logger });
    await scheduleReconciliation(queue, schedules.reconcileEveryMs);
    await scheduleRetention(queue, schedules.retentionEveryMs);
    // The schedulers live in Redis only: each worker checks for them at half the interval, so a
    // Redis that lost its data gets a pass again within one interval.
    if (schedules.reconcileEveryMs > 0) {
      scheduleKeeper = setInterval(() => {
        keepSchedules().catch((error: unknown) => logger.warn({ err: error }, 'could not check the job schedulers'));
      }, schedules.reconcileEveryMs / 2);
      scheduleKeeper.unref();
    }
  }

  let draining = false;
  const app = createApp({
    logger,
    metrics,
    readinessCacheMs: config.READINESS_CACHE_MS,
    readinessWarnings: outbox
      ? async () =>
          (await outbox.backlog()).endpoints
            .filter((entry) => entry.pending > config.CLINIC_WEBHOOK_BACKLOG_WARN)
            .map((entry) => `outbox: ${entry.pending} events wait for endpoint "${entry.endpoint}" (CLINIC_WEBHOOK_BACKLOG_WARN ${config.CLINIC_WEBHOOK_BACKLOG_WARN})`)
      : undefined,
    isDraining: () => draining,
    trustProxyHops: config.TRUST_PROXY_HOPS,
    metricsAccess: config.METRICS_TOKEN !== undefined ? { kind: 'token', token: config.METRICS_TOKEN } : config.METRICS_PORT !== undefined ? { kind: 'none' } : { kind: 'open' },
    readiness: {
      mongodb: () => store.ping(),
      redis: async () => (await queue.getBackend().client).info(),
      // The intake and the clinic API work without LiveKit; only the worker calls it.
      ...(roles.worker ? { livekit: () => rooms.listRooms(['autostart-readiness-probe']) } : {}),
    },
    api: roles.api
      ? {
          rateLimits: limiter ? { limiter, perAddress: config.RATE_LIMIT_PER_ADDRESS_PER_MINUTE, perKey: config.RATE_LIMIT_PER_KEY_PER_MINUTE, logger } : undefined,
          webhook: {
            maxBytes: config.WEBHOOK_MAX_BYTES,
            probes: probes ? { log: probes, verifiedWith: liveKitWebhookKey(config).apiKey } : undefined,
            intake: {
              verifier: liveKitWebhookVerifier(liveKitWebhookKey(config).apiKey, liveKitWebhookKey(config).apiSecret, { clockToleranceSeconds: config.WEBHOOK_CLOCK_TOLERANCE_SECONDS }),
              store,
              locks,
              jobs,
              events,
              clock,
              rules,
              maxAgeSeconds: config.WEBHOOK_MAX_AGE_SECONDS,
            },
          },
          clinic: {
            store,
            jobs,
            events,
            rooms,
            clock,
            rules,
            logger,
            clinicApiKeys: clinicApiKeys(config),
            idempotencyKeys,
            idempotencyOptions: IDEMPOTENCY,
            audit,
            deliveries: events,
            corsOrigins: config.CORS_ORIGINS,
            // Kept under any path prefix the service is published at (a reverse proxy's /autostart/).
            participantEndUrl: config.SERVICE_PUBLIC_URL ? `${config.SERVICE_PUBLIC_URL.replace(/\/+$/, '')}/v1/participant/end` : null,
            tokens: liveKitJoinTokens({
              apiKey: config.LIVEKIT_API_KEY,
              apiSecret: config.LIVEKIT_API_SECRET,
              ttlSeconds: config.TOKEN_TTL_SECONDS,
              publicUrl: config.LIVEKIT_PUBLIC_URL ?? config.LIVEKIT_URL,
            }),
          },
          participant: {
            store,
            jobs,
            events,
            clock,
            rules,
            logger,
            audit,
            corsOrigins: config.CORS_ORIGINS,
            credentials: liveKitParticipantCredentials({ apiKey: config.LIVEKIT_API_KEY, apiSecret: config.LIVEKIT_API_SECRET }),
          },
        }
      : undefined,
  });

  let server: Server | null = null;
  let metricsServer: MetricsServer | null = null;
  return {
    app,
    metrics,
    store,
    worker,
    async listen(port, host) {
      if (config.METRICS_PORT !== undefined) metricsServer = await startMetricsServer(metrics, config.METRICS_PORT, config.METRICS_HOST ?? host);
      return new Promise((resolve, reject) => {
        const listening = app.listen(port, host, (error?: Error) => {
          if (error) reject(error);
          else resolve((listening.address() as AddressInfo).port);
        });
        server = listening;
      });
    },
    metricsPort: () => metricsServer?.port ?? null,
    drain() {
      draining = true;
    },
    async stop() {
      await metricsServer?.stop();
      if (server) {
        const closing = new Promise<void>((resolve) => (server as Server).close(() => resolve()));
        // Keep-alive sockets with no request in flight would hold close() open.
        server.closeIdleConnections();
        await closing;
      }
      if (scheduleKeeper) clearInterval(scheduleKeeper);
      if (idempotencySweep) clearInterval(idempotencySweep);
      await worker?.close();
      await outbox?.close();
      await probes?.close();
      await limiter?.close();
      await queue.close();
      await store.close();
      await audit.close();
      await idempotencyKeys.close();
      await locks.close();
    },
  };
}
