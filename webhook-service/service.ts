// Wiring: builds the service's parts from the configuration (store, Redis connections, queue,
// worker, LiveKit gateway, express app) and takes them down in order. main.ts runs it as a
// process; integration tests build several side by side in one process.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Worker } from 'bullmq';
import type { Express } from 'express';
import { systemClock } from './systemClock';
import type { Clock } from './usecases/ports/Clock';
import type { Config } from './config';
import { createApp } from './http/app';
import { liveKitJoinTokens } from './livekit/joinTokens';
import { LiveKitRoomGateway } from './livekit/LiveKitRoomGateway';
import { liveKitWebhookVerifier } from './livekit/webhookVerifier';
import type { Logger } from './logger';
import { createMetrics, type Metrics } from './metrics';
import { bullActivationJobs, createActivationQueue, type ActivationJobData, type ActivationJobName } from './queue/activationQueue';
import { createActivationWorker } from './queue/activationWorker';
import { MongoSessionStore } from './store/MongoSessionStore';
import { RedisSessionLog } from './store/RedisSessionLog';

export interface ServiceRoles {
  /** Serve the webhook intake and the clinic API. */
  api: boolean;
  /** Run the activation worker. */
  worker: boolean;
}

export interface Service {
  app: Express;
  metrics: Metrics;
  store: MongoSessionStore;
  worker: Worker<ActivationJobData, unknown, ActivationJobName> | null;
  /** Starts listening; resolves with the bound port (PORT 0 picks a free one). */
  listen(port: number, host: string): Promise<number>;
  /** Stops accepting, finishes in-flight requests and active jobs, then closes connections. */
  stop(): Promise<void>;
}

export async function createService(config: Config, roles: ServiceRoles, logger: Logger, clock: Clock = systemClock): Promise<Service> {
  const metrics = createMetrics({ defaultMetrics: true });
  const sessionLog = new RedisSessionLog({ redisUrl: config.REDIS_URL, prefix: config.BULLMQ_PREFIX, ttlSeconds: config.SESSION_LOG_TTL_SECONDS });
  const store = await MongoSessionStore.connect(config.MONGODB_URI, sessionLog);
  const queue = createActivationQueue(config.REDIS_URL, config.BULLMQ_PREFIX);
  queue.on('error', (error) => logger.warn({ err: error }, 'activation queue error'));
  metrics.setQueueDepthSource(() => queue.getJobCounts('waiting', 'active', 'delayed', 'failed'));

  const rooms = new LiveKitRoomGateway({
    url: config.LIVEKIT_URL,
    apiKey: config.LIVEKIT_API_KEY,
    apiSecret: config.LIVEKIT_API_SECRET,
    requestTimeoutSeconds: config.LIVEKIT_REQUEST_TIMEOUT_SECONDS,
  });

  let worker: Worker<ActivationJobData, unknown, ActivationJobName> | null = null;
  if (roles.worker) {
    worker = createActivationWorker(
      {
        store,
        rooms,
        clock,
        logger,
        onActivationRecorded: () => metrics.activations.inc(),
        onStartedSent: (seconds) => metrics.activationLatency.observe(seconds),
      },
      {
        redisUrl: config.REDIS_URL,
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

  const app = createApp({
    logger,
    metrics,
    readiness: {
      mongodb: () => store.ping(),
      redis: async () => (await queue.client).info(),
      livekit: () => rooms.listRooms(['autostart-readiness-probe']),
    },
    api: roles.api
      ? {
          webhook: {
            maxBytes: config.WEBHOOK_MAX_BYTES,
            intake: {
              verifier: liveKitWebhookVerifier(config.LIVEKIT_API_KEY, config.LIVEKIT_API_SECRET),
              store,
              jobs: bullActivationJobs(queue),
              clock,
              maxAgeSeconds: config.WEBHOOK_MAX_AGE_SECONDS,
            },
          },
          clinic: {
            store,
            clock,
            clinicApiToken: config.CLINIC_API_TOKEN,
            corsOrigins: config.CORS_ORIGINS,
            tokens: liveKitJoinTokens({
              apiKey: config.LIVEKIT_API_KEY,
              apiSecret: config.LIVEKIT_API_SECRET,
              ttlSeconds: config.TOKEN_TTL_SECONDS,
              publicUrl: config.LIVEKIT_PUBLIC_URL ?? config.LIVEKIT_URL,
            }),
          },
        }
      : undefined,
  });

  let server: Server | null = null;
  return {
    app,
    metrics,
    store,
    worker,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        const listening = app.listen(port, host, (error?: Error) => {
          if (error) reject(error);
          else resolve((listening.address() as AddressInfo).port);
        });
        server = listening;
      });
    },
    async stop() {
      if (server) {
        const closing = new Promise<void>((resolve) => (server as Server).close(() => resolve()));
        // Keep-alive sockets with no request in flight would hold close() open.
        server.closeIdleConnections();
        await closing;
      }
      await worker?.close();
      await queue.close();
      await store.close();
    },
  };
}
