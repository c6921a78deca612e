// The outbox to the clinic's backend, put together: publishing writes each event for each endpoint
// to MongoDB (durable: it survives Redis) and marks its chain due in Redis; the worker sends them.
// Rooms: deliveryPolicy (rules), MongoOutboxStore (record), RedisOutboxIndex (what is due, locks),
// webhookSender (HTTP), outboxWorker (the drain).
import type { Logger } from '../logger';
import type { OutboxBacklog } from '../metrics';
import type { RedisTarget } from '../redis/connections';
import type { ClinicDeliveries, FailedDelivery } from '../usecases/ports/ClinicDeliveries';
import type { ClinicEvent, ClinicEvents } from '../usecases/ports/ClinicEvents';
import { deliveryId, endpointsOf, type ClinicEndpoint, type DeliveryPolicy } from './deliveryPolicy';
import { MongoOutboxStore, type Chain, type DeliveryDoc } from './MongoOutboxStore';
import { OutboxWorker, type DeliveryOutcome } from './outboxWorker';
import { RedisOutboxIndex } from './RedisOutboxIndex';
import { createWebhookSender, type EventPayload } from './webhookSender';

export interface ClinicOutboxOptions {
  mongoUri: string;
  redis: RedisTarget;
  prefix: string;
  /** Each with the clinic whose events it receives. */
  endpoints: readonly ClinicEndpoint[];
  /** CLINIC_WEBHOOK_SECRET: one, or two during a rotation. */
  secrets: readonly string[];
  policy: DeliveryPolicy;
  /** Per-POST timeout, in ms. @defaultValue 10000 */
  requestTimeoutMs?: number;
  /** CLINIC_WEBHOOK_CONCURRENCY. @defaultValue 8 */
  concurrency?: number;
  /** How often a worker looks for due chains, in ms. @defaultValue 250 */
  pollMs?: number;
  now?: () => number;
}

const payloadOf = (event: ClinicEvent): EventPayload => ({ v: 1, id: event.id, type: event.type, sessionId: event.sessionId, occurredAt: event.occurredAt.toISOString(), data: event.data });

export class ClinicOutbox implements ClinicEvents, ClinicDeliveries {
  private worker: OutboxWorker | null = null;
  private readonly now: () => number;

  private constructor(
    private readonly options: ClinicOutboxOptions,
    private readonly store: MongoOutboxStore,
    private readonly index: RedisOutboxIndex,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Connects to MongoDB and Redis; closes what it opened if either fails. */
  static async open(options: ClinicOutboxOptions): Promise<ClinicOutbox> {
    const store = await MongoOutboxStore.connect(options.mongoUri);
    const index = new RedisOutboxIndex({ redis: options.redis, prefix: options.prefix });
    try {
      await index.connect();
    } catch (error) {
      await Promise.allSettled([store.close(), index.close()]);
      throw error;
    }
    return new ClinicOutbox(options, store, index);
  }

  async publish(events: readonly ClinicEvent[]): Promise<void> {
    if (events.length === 0 || this.options.endpoints.length === 0) return;
    const now = new Date(this.now());
    // A clinic's events go to its own endpoints only; the order within the batch is kept per endpoint.
    const deliveries: DeliveryDoc[] = events.flatMap((event, orderIndex) =>
      endpointsOf(this.options.endpoints, event.clinicId).map((endpoint) => ({
        _id: deliveryId(endpoint.name, event.id),
        endpoint: endpoint.name,
        sessionId: event.sessionId,
        clinicId: event.clinicId,
        eventId: event.id,
        type: event.type,
        payload: payloadOf(event),
        state: 'pending' as const,
        orderAt: now,
        orderIndex,
        nextAttemptAt: now,
        attempts: 0,
        firstTriedAt: null,
        error: null,
        settledAt: null,
        createdAt: now,
      })),
    );
    if (deliveries.length === 0) return;
    await this.store.enqueue(deliveries);
    const chains = new Map<string, Chain>(deliveries.map((delivery) => [`${delivery.endpoint}|${delivery.sessionId}`, { endpoint: delivery.endpoint, sessionId: delivery.sessionId }]));
    await this.index.wake([...chains.values()], now.getTime());
    this.worker?.nudge();
  }

  async listFailed(clinicId: string, after: { failedAt: Date; id: string } | null, limit: number): Promise<FailedDelivery[]> {
    const docs = await this.store.listFailed(clinicId, after && { settledAt: after.failedAt, id: after.id }, limit);
    return docs.map((doc) => ({
      id: doc._id,
      // The URL as configured now (the clinic's own); the name when it is no longer configured.
      endpoint: this.options.endpoints.find((endpoint) => endpoint.name === doc.endpoint)?.url ?? doc.endpoint,
      eventId: doc.eventId,
      type: doc.type,
      sessionId: doc.sessionId,
      error: doc.error ?? '',
      failedAt: doc.settledAt ?? doc.createdAt,
    }));
  }

  async retry(clinicId: string, id: string): Promise<boolean> {
    const now = this.now();
    const chain = await this.store.requeueFailed(clinicId, id, new Date(now));
    if (!chain) return false;
    await this.index.wake([chain], now);
    this.worker?.nudge();
    return true;
  }

  async backlog(): Promise<OutboxBacklog> {
    const [endpoints, dueChains] = await Promise.all([this.store.counts(this.options.endpoints.map((endpoint) => endpoint.name)), this.index.size()]);
    return { endpoints, dueChains };
  }

  /** Removes deliveries settled before `cutoff` (RETENTION_DAYS); returns how many. */
  async expireSettled(cutoff: Date): Promise<number> {
    return this.store.expireSettled(cutoff);
  }

  /** Starts sending in this process (the worker role). */
  startWorker(logger: Logger, onDelivery: (type: string, outcome: DeliveryOutcome) => void): OutboxWorker {
    const timeoutMs = this.options.requestTimeoutMs ?? 10_000;
    this.worker = new OutboxWorker({
      store: this.store,
      index: this.index,
      sender: createWebhookSender({ secrets: this.options.secrets, timeoutMs }),
      endpoints: this.options.endpoints,
      policy: this.options.policy,
      concurrency: this.options.concurrency ?? 8,
      pollMs: this.options.pollMs ?? 250,
      leaseMs: timeoutMs * 3,
      logger,
      onDelivery,
      now: this.now,
    });
    this.worker.start();
    return this.worker;
  }

  async close(): Promise<void> {
    await this.worker?.stop();
    await Promise.allSettled([this.store.close(), this.index.close()]);
  }
}
