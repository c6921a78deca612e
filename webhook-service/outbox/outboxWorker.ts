// Drains the outbox: every `pollMs` (or at once when this process queued something) it takes the
// chains that are due, up to `concurrency` at a time, and sends each chain's deliveries in order,
// one at a time, holding the chain's lock. A failed try waits for its backoff and holds back the
// chain's later events (order per session); one that gives up is listed as failed and the chain
// goes on. Every outcome is written to MongoDB before the next delivery is tried.
import { setTimeout as wait } from 'node:timers/promises';
import type { Logger } from '../logger';
import { afterFailure, outcomeOf, type ClinicEndpoint, type DeliveryPolicy } from './deliveryPolicy';
import type { Chain, DeliveryDoc, MongoOutboxStore } from './MongoOutboxStore';
import { chainKey, type RedisOutboxIndex } from './RedisOutboxIndex';
import type { WebhookSender } from './webhookSender';

export type DeliveryOutcome = 'delivered' | 'retry' | 'failed';

export interface OutboxWorkerOptions {
  store: MongoOutboxStore;
  index: RedisOutboxIndex;
  sender: WebhookSender;
  endpoints: readonly ClinicEndpoint[];
  policy: DeliveryPolicy;
  /** Chains drained at once by this process (CLINIC_WEBHOOK_CONCURRENCY). */
  concurrency: number;
  /** How often due chains are looked for, in ms. */
  pollMs: number;
  /** A chain's lock lives this long without news from its holder, in ms (several POST timeouts). */
  leaseMs: number;
  logger: Logger;
  onDelivery: (type: string, outcome: DeliveryOutcome) => void;
  now?: () => number;
}

/** Deliveries read from a chain at once. */
const BATCH = 20;

export class OutboxWorker {
  private readonly now: () => number;
  private readonly draining = new Map<string, Promise<void>>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private lastProblemLogAt = 0;

  constructor(private readonly options: OutboxWorkerOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Something was queued: look now rather than at the next poll. */
  nudge(): void {
    this.wakeUp?.();
  }

  /** Stops looking for work and waits for the drains in progress (each ends after its current POST). */
  async stop(): Promise<void> {
    this.running = false;
    this.nudge();
    await this.loop;
    await Promise.allSettled(this.draining.values());
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.lookOnce();
      } catch (error) {
        // Redis or MongoDB away: the next look tries again; said once a minute, not every poll.
        if (this.now() - this.lastProblemLogAt > 60_000) {
          this.lastProblemLogAt = this.now();
          this.options.logger.warn({ err: error }, 'outbox: cannot look for due deliveries; trying again');
        }
      }
      const woken = new Promise<void>((resolve) => {
        this.wakeUp = resolve;
      });
      await Promise.race([wait(this.options.pollMs), woken]);
      this.wakeUp = null;
    }
  }

  private async lookOnce(): Promise<void> {
    const { index } = this.options;
    if (await index.claimRebuild()) await this.rebuild();
    const free = this.options.concurrency - this.draining.size;
    if (free <= 0) return;
    for (const { chain, version } of await index.due(this.now(), free + this.draining.size)) {
      const key = chainKey(chain);
      if (this.draining.has(key) || this.draining.size >= this.options.concurrency) continue;
      const drained = this.drain(chain, version)
        .catch((error: unknown) => {
          this.options.logger.warn({ err: error, sessionId: chain.sessionId, endpoint: chain.endpoint }, 'outbox: a drain stopped; the chain is tried again');
        })
        .finally(() => {
          this.draining.delete(key);
          this.nudge();
        });
      this.draining.set(key, drained);
    }
  }

  /** The index from MongoDB's pending deliveries (after a Redis loss, or its periodic check). */
  private async rebuild(): Promise<void> {
    const { store, index } = this.options;
    try {
      let batch: (Chain & { dueAt: Date })[] = [];
      let restored = 0;
      for await (const chain of store.pendingChains()) {
        batch.push(chain);
        if (batch.length === 500) {
          await index.restore(batch);
          restored += batch.length;
          batch = [];
        }
      }
      await index.restore(batch);
      restored += batch.length;
      if (restored > 0) this.options.logger.info({ chains: restored }, 'outbox: due chains rebuilt from MongoDB');
    } catch (error) {
      await index.abandonRebuild();
      throw error;
    }
  }

  private async drain(chain: Chain, version: string): Promise<void> {
    const { store, index, leaseMs } = this.options;
    const lock = await index.lock(chain, leaseMs);
    if (lock === null) return;
    try {
      for (;;) {
        const pending = await store.pendingOf(chain, BATCH);
        if (pending.length === 0) {
          await index.dropIfUnchanged(chain, version);
          return;
        }
        if ((await this.sendInOrder(chain, pending)) === 'stop') return;
      }
    } finally {
      await index.unlock(lock);
    }
  }

  /**
   * Sends a batch of a chain's deliveries in order; 'stop' when the chain must wait (a failed try's
   * backoff, or the worker stopping). The delivered ones are settled together, before any other write.
   */
  private async sendInOrder(chain: Chain, pending: readonly DeliveryDoc[]): Promise<'stop' | 'more'> {
    const { store, index, sender, policy, leaseMs } = this.options;
    const delivered: string[] = [];
    const settle = async () => {
      await store.markDelivered(delivered.splice(0));
    };
    try {
      for (const delivery of pending) {
        if (!this.running) return 'stop';
        const now = this.now();
        if (delivery.nextAttemptAt.getTime() > now) {
          await index.postpone(chain, delivery.nextAttemptAt.getTime());
          return 'stop';
        }
        const endpoint = this.options.endpoints.find((candidate) => candidate.name === chain.endpoint);
        const attempts = delivery.attempts + 1;
        const firstTriedAt = delivery.firstTriedAt ?? new Date(now);
        if (!endpoint) {
          await settle();
          await store.markFailed(delivery._id, { attempts: delivery.attempts, firstTriedAt, error: `endpoint "${chain.endpoint}" is no longer in CLINIC_WEBHOOK_URLS`, at: new Date(now) });
          this.options.onDelivery(delivery.type, 'failed');
          continue;
        }
        await index.extend(chain, leaseMs);
        const outcome = outcomeOf(await sender.send(endpoint.url, delivery.payload, endpoint.secrets));
        const after = this.now();
        if (outcome.delivered) {
          delivered.push(delivery._id);
          this.options.onDelivery(delivery.type, 'delivered');
          continue;
        }
        await settle();
        const next = afterFailure(policy, attempts, firstTriedAt.getTime(), after);
        if (next.kind === 'retry') {
          await store.markRetry(delivery._id, { attempts, firstTriedAt, nextAttemptAt: new Date(next.at), error: outcome.problem });
          await index.postpone(chain, next.at);
          this.options.onDelivery(delivery.type, 'retry');
          return 'stop';
        }
        // Gave up on this one: it waits in the failed list, the session's next events go on.
        await store.markFailed(delivery._id, { attempts, firstTriedAt, error: outcome.problem, at: new Date(after) });
        this.options.onDelivery(delivery.type, 'failed');
        // The endpoint by its name, never its URL (which may carry a token).
        this.options.logger.warn({ eventId: delivery.eventId, sessionId: chain.sessionId, endpoint: chain.endpoint, error: outcome.problem }, 'clinic webhook gave up');
      }
      return 'more';
    } finally {
      await settle();
    }
  }
}
