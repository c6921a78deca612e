// Events for the clinic's backend, delivered by webhook (Standard Webhooks: webhook-id,
// webhook-timestamp, webhook-signature; secret `whsec_...`), never on the intake's path: publish
// only appends to a Redis list per (endpoint, session) and queues a drain job. A drain delivers a
// session's events one at a time, in order, holding a per-(endpoint, session) lock; a failed POST
// leaves the event at the head and the job retries with exponential backoff (capped at an hour)
// for the configured window, after which the event moves to the failed list (re-sendable) and the
// drain goes on with the next. An event id is queued once per endpoint (the same event published
// twice is one delivery); a retried POST after a lost answer repeats the same webhook-id.
import { randomBytes } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import type Redis from 'ioredis';
import { Webhook } from 'standardwebhooks';
import { ServiceError } from '../errors';
import { newDeliveryId } from '../ids';
import type { Logger } from '../logger';
import { failFastOptions, failFastRedis, waitingOptions, type RedisTarget } from '../redis/connections';
import type { ClinicDeliveries, FailedDelivery } from '../usecases/ports/ClinicDeliveries';
import type { ClinicEvent, ClinicEvents } from '../usecases/ports/ClinicEvents';

export const CLINIC_EVENTS_QUEUE = 'clinic-events';
const SEEN_TTL_SECONDS = 7 * 24 * 3600;
const MAX_BACKOFF_MS = 3600_000;
// Push only the first time this endpoint sees this event id.
const PUSH_ONCE = "if redis.call('set', KEYS[1], '1', 'NX', 'EX', ARGV[2]) then return redis.call('rpush', KEYS[2], ARGV[1]) end return 0";
const RELEASE_IF_HELD = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0";

export interface ClinicOutboxOptions {
  /** Where Redis is (one server or through Sentinel). */
  redis: RedisTarget;
  /** Key prefix of the outbox and its queue. */
  prefix: string;
  /** CLINIC_WEBHOOK_URLS */
  endpoints: readonly string[];
  /** CLINIC_WEBHOOK_SECRET (`whsec_...`): one, or two during a rotation (each event is then signed with both). */
  secrets: readonly string[];
  /** How long a delivery is retried before it counts as failed, in ms. @defaultValue 24 h */
  retryForMs: number;
  /** The first retry delay, doubled on each attempt up to an hour, in ms. @defaultValue 1000 */
  backoffMs: number;
  /** Per-POST timeout, in ms. @defaultValue 10000 */
  requestTimeoutMs?: number;
}

interface DrainJob {
  endpoint: number;
  sessionId: string;
}

/** The wire form: versioned, ids and times only. */
const payloadOf = (event: ClinicEvent) => ({ v: 1, id: event.id, type: event.type, sessionId: event.sessionId, occurredAt: event.occurredAt.toISOString(), data: event.data });
type Payload = ReturnType<typeof payloadOf>;

/** Attempts whose exponential delays (capped at an hour) add up to the retry window. */
export function attemptsFor(retryForMs: number, backoffMs: number): number {
  let total = 0;
  let attempts = 1;
  while (total < retryForMs) {
    total += Math.min(backoffMs * 2 ** (attempts - 1), MAX_BACKOFF_MS);
    attempts += 1;
  }
  return attempts;
}

export class ClinicOutbox implements ClinicEvents, ClinicDeliveries {
  private readonly redis: Redis;
  private readonly queue: Queue<DrainJob>;
  private readonly attempts: number;

  constructor(private readonly options: ClinicOutboxOptions) {
    this.redis = failFastRedis(options.redis);
    this.queue = new Queue<DrainJob>(CLINIC_EVENTS_QUEUE, { connection: failFastOptions(options.redis), prefix: options.prefix });
    this.attempts = attemptsFor(options.retryForMs, options.backoffMs);
  }

  private listKey(endpoint: number, sessionId: string): string {
    return `${this.options.prefix}:outbox:{${endpoint}:${sessionId}}`;
  }

  private get failedKey(): string {
    return `${this.options.prefix}:outbox:failed`;
  }

  async connect(): Promise<void> {
    await this.guard(() => this.redis.connect());
    await this.queue.waitUntilReady();
  }

  async publish(events: readonly ClinicEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.guard(async () => {
      const sessions = new Set<string>();
      for (const event of events) {
        for (let endpoint = 0; endpoint < this.options.endpoints.length; endpoint += 1) {
          const seenKey = `${this.options.prefix}:outbox:seen:{${endpoint}:${event.sessionId}}:${event.id}`;
          await this.redis.eval(PUSH_ONCE, 2, seenKey, this.listKey(endpoint, event.sessionId), JSON.stringify(payloadOf(event)), SEEN_TTL_SECONDS);
          sessions.add(`${endpoint} ${event.sessionId}`);
        }
      }
      for (const entry of sessions) {
        const [endpoint, sessionId] = entry.split(' ') as [string, string];
        await this.drainLater(Number(endpoint), sessionId);
      }
    });
  }

  private async drainLater(endpoint: number, sessionId: string): Promise<void> {
    await this.queue.add('drain', { endpoint, sessionId }, { attempts: this.attempts, backoff: { type: 'capped' }, removeOnComplete: true, removeOnFail: 1000 });
  }

  async listFailed(limit: number): Promise<FailedDelivery[]> {
    const entries = await this.guard(() => this.redis.hgetall(this.failedKey));
    return Object.entries(entries)
      .map(([id, text]) => {
        const failed = JSON.parse(text) as Omit<FailedDelivery, 'id' | 'failedAt'> & { failedAt: string; payload: Payload };
        return { id, endpoint: failed.endpoint, eventId: failed.payload.id, type: failed.payload.type, sessionId: failed.payload.sessionId, error: failed.error, failedAt: new Date(failed.failedAt) };
      })
      .sort((a, b) => a.failedAt.getTime() - b.failedAt.getTime())
      .slice(0, limit);
  }

  async retry(id: string): Promise<boolean> {
    return this.guard(async () => {
      const text = await this.redis.hget(this.failedKey, id);
      if (!text) return false;
      const failed = JSON.parse(text) as { endpointIndex: number; payload: Payload };
      await this.redis.multi().rpush(this.listKey(failed.endpointIndex, failed.payload.sessionId), JSON.stringify(failed.payload)).hdel(this.failedKey, id).exec();
      await this.drainLater(failed.endpointIndex, failed.payload.sessionId);
      return true;
    });
  }

  /** What waits: drain jobs by state (one per session and endpoint with events queued) and the failed deliveries. */
  async backlog(): Promise<{ jobs: Record<string, number>; failed: number }> {
    const [jobs, failed] = await Promise.all([this.queue.getJobCounts('waiting', 'active', 'delayed'), this.redis.hlen(this.failedKey)]);
    return { jobs, failed };
  }

  /** The worker that drains: its processor delivers; `onDelivery` counts outcomes. */
  startWorker(logger: Logger, onDelivery: (type: string, outcome: 'delivered' | 'retry' | 'failed') => void): Worker<DrainJob> {
    const signers = this.options.secrets.map((secret) => new Webhook(secret));
    const timeoutMs = this.options.requestTimeoutMs ?? 10_000;
    const deliver = async (endpoint: string, payload: Payload): Promise<string | null> => {
      const body = JSON.stringify(payload);
      const timestamp = new Date();
      try {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': payload.id,
            'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
            // Standard Webhooks: space-separated signatures; a receiver accepts any one it can verify.
            'webhook-signature': signers.map((signer) => signer.sign(payload.id, timestamp, body)).join(' '),
          },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        return response.ok ? null : `HTTP ${response.status}`;
      } catch (error) {
        return error instanceof Error ? error.message : String(error);
      }
    };
    const drain = async (job: Job<DrainJob>): Promise<string> => {
      const { endpoint, sessionId } = job.data;
      const url = this.options.endpoints[endpoint];
      if (url === undefined) return 'endpoint_removed';
      const lockKey = `${this.options.prefix}:outbox:lock:{${endpoint}:${sessionId}}`;
      const token = randomBytes(9).toString('base64url');
      const list = this.listKey(endpoint, sessionId);
      if ((await this.redis.set(lockKey, token, 'PX', timeoutMs * 3, 'NX')) !== 'OK') {
        // Another drain holds it; should that one have crashed, its lock expires and this looks again.
        await this.queue.add('drain', job.data, { jobId: `redrain-${endpoint}-${sessionId}`, delay: timeoutMs * 3, removeOnComplete: true, removeOnFail: true });
        return 'busy';
      }
      let drained = false;
      try {
        for (;;) {
          const head = await this.redis.lindex(list, 0);
          if (head === null) {
            drained = true;
            return 'drained';
          }
          await this.redis.pexpire(lockKey, timeoutMs * 3);
          const payload = JSON.parse(head) as Payload;
          const problem = await deliver(url, payload);
          if (problem === null) {
            await this.redis.lpop(list);
            onDelivery(payload.type, 'delivered');
            continue;
          }
          if (job.attemptsMade + 1 < this.attempts) {
            onDelivery(payload.type, 'retry');
            throw new Error(`delivery of ${payload.id} to endpoint ${endpoint}: ${problem}`);
          }
          // Gave up on this one: it waits in the failed list, the session's next events go on.
          const failed = { endpoint: url, endpointIndex: endpoint, payload, error: problem, failedAt: new Date().toISOString() };
          await this.redis.multi().hset(this.failedKey, newDeliveryId(), JSON.stringify(failed)).lpop(list).exec();
          onDelivery(payload.type, 'failed');
          // The endpoint by its position, never its URL (which may carry a token); nor any URL in the error.
          logger.warn({ eventId: payload.id, sessionId, endpoint, error: problem.replace(/\bhttps?:\/\/\S+/g, '<url>') }, 'clinic webhook gave up');
        }
      } finally {
        await this.redis.eval(RELEASE_IF_HELD, 1, lockKey, token).catch(() => undefined);
        // An event appended after the last look but before the release found the lock held: drain again.
        if (drained && (await this.redis.llen(list)) > 0) await this.drainLater(endpoint, sessionId);
      }
    };
    const worker = new Worker<DrainJob>(CLINIC_EVENTS_QUEUE, drain, {
      connection: waitingOptions(this.options.redis),
      prefix: this.options.prefix,
      concurrency: 8,
      settings: { backoffStrategy: (attemptsMade: number) => Math.min(this.options.backoffMs * 2 ** (attemptsMade - 1), MAX_BACKOFF_MS) },
    });
    worker.on('error', (error) => logger.error({ err: error }, 'clinic events worker error'));
    return worker;
  }

  async close(): Promise<void> {
    await this.queue.close();
    this.redis.disconnect();
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw ServiceError.queueUnavailable(error);
    }
  }
}
