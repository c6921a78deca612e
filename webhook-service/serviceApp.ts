// The express app of one service, from its configuration and the resources the composition root
// opened (main.ts): the ops routes always, the webhook intake and the clinic and participant
// APIs in an API process. It opens nothing itself.
import type { Express } from 'express';
import type { LifecycleRules } from '../plugin';
import { callSettingsFor } from './clinicCalls';
import { clinicApiKeys, liveKitWebhookKey, type Config } from './config';
import { createApp } from './http/app';
import { liveKitJoinTokens } from './livekit/joinTokens';
import { liveKitParticipantCredentials } from './livekit/participantCredentials';
import type { LiveKitRoomGateway } from './livekit/LiveKitRoomGateway';
import { liveKitWebhookVerifier } from './livekit/webhookVerifier';
import type { RedisRateLimiter } from './limits/RedisRateLimiter';
import type { Logger } from './logger';
import type { Metrics } from './metrics';
import type { ClinicOutbox } from './outbox/clinicOutbox';
import type { RedisProbeLog } from './probe/RedisProbeLog';
import type { AuditTrail } from './usecases/ports/AuditTrail';
import type { ClinicDeliveries } from './usecases/ports/ClinicDeliveries';
import type { ClinicEvents } from './usecases/ports/ClinicEvents';
import type { Clock } from './usecases/ports/Clock';
import type { IdempotencyKeys } from './usecases/ports/IdempotencyKeys';
import type { LifecycleJobs } from './usecases/ports/LifecycleJobs';
import type { SessionLocks } from './usecases/ports/SessionLocks';
import type { SessionFolds } from './usecases/ports/SessionFolds';
import type { SessionStore } from './usecases/ports/SessionStore';

/**
 * Idempotency-Key: an attempt holds its key 30 s (longer than any request runs: LiveKit calls time
 * out in LIVEKIT_REQUEST_TIMEOUT_SECONDS) before a repeat may run it again; a repeat waits up to
 * 10 s for the running attempt's answer, reading every 100 ms.
 */
const IDEMPOTENCY = { leaseMs: 30_000, waitMs: 10_000, pollMs: 100 };

export interface ServiceRoles {
  /** Serve the webhook intake and the clinic API. */
  api: boolean;
  /** Run the lifecycle worker. */
  worker: boolean;
}

/** What the app is made of: the opened resources and the ports over them. */
export interface ServiceParts {
  config: Config;
  roles: ServiceRoles;
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  rules: LifecycleRules;
  store: SessionStore;
  folds: SessionFolds;
  locks: SessionLocks;
  audit: AuditTrail;
  idempotencyKeys: IdempotencyKeys;
  jobs: LifecycleJobs;
  events: ClinicEvents & ClinicDeliveries;
  outbox: ClinicOutbox | null;
  rooms: LiveKitRoomGateway;
  probes: RedisProbeLog | null;
  limiter: RedisRateLimiter | null;
  /** Ask MongoDB and the queue's Redis connection (the readiness checks). */
  pingStore: () => Promise<unknown>;
  pingRedis: () => Promise<unknown>;
  isDraining: () => boolean;
}

/** The outbox's backlog over CLINIC_WEBHOOK_BACKLOG_WARN, as /readyz warnings. */
const backlogWarnings = (outbox: ClinicOutbox, config: Config) => async (): Promise<string[]> =>
  (await outbox.backlog()).endpoints
    .filter((entry) => entry.pending > config.CLINIC_WEBHOOK_BACKLOG_WARN)
    .map((entry) => `outbox: ${entry.pending} events wait for endpoint "${entry.endpoint}" (CLINIC_WEBHOOK_BACKLOG_WARN ${config.CLINIC_WEBHOOK_BACKLOG_WARN})`);

export function createServiceApp(parts: ServiceParts): Express {
  const { config, roles, logger, metrics, clock, rules, store, folds, locks, audit, jobs, events, rooms } = parts;
  const webhookKey = liveKitWebhookKey(config);
  return createApp({
    logger,
    metrics,
    readinessCacheMs: config.READINESS_CACHE_MS,
    readinessWarnings: parts.outbox ? backlogWarnings(parts.outbox, config) : undefined,
    isDraining: parts.isDraining,
    trustProxyHops: config.TRUST_PROXY_HOPS,
    metricsAccess: config.METRICS_TOKEN !== undefined ? { kind: 'token', token: config.METRICS_TOKEN } : config.METRICS_PORT !== undefined ? { kind: 'none' } : { kind: 'open' },
    readiness: {
      mongodb: parts.pingStore,
      redis: parts.pingRedis,
      // The intake and the clinic API work without LiveKit; only the worker calls it.
      ...(roles.worker ? { livekit: () => rooms.listRooms(['autostart-readiness-probe']) } : {}),
    },
    api: roles.api
      ? {
          rateLimits: parts.limiter ? { limiter: parts.limiter, perAddress: config.RATE_LIMIT_PER_ADDRESS_PER_MINUTE, perKey: config.RATE_LIMIT_PER_KEY_PER_MINUTE, logger } : undefined,
          webhook: {
            maxBytes: config.WEBHOOK_MAX_BYTES,
            probes: parts.probes ? { log: parts.probes, verifiedWith: webhookKey.apiKey } : undefined,
            intake: {
              verifier: liveKitWebhookVerifier(webhookKey.apiKey, webhookKey.apiSecret, { clockToleranceSeconds: config.WEBHOOK_CLOCK_TOLERANCE_SECONDS }),
              store,
              folds,
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
            folds,
            locks,
            jobs,
            events,
            rooms,
            clock,
            rules,
            logger,
            clinicApiKeys: clinicApiKeys(config),
            callSettings: (clinicId: string) => callSettingsFor(config.CLINIC_CALL_SETTINGS, clinicId),
            idempotencyKeys: parts.idempotencyKeys,
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
            folds,
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
}
