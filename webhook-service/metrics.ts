// Prometheus metrics on a registry of the app's own (not prom-client's global one), so two
// service instances in one process (the multi-instance tests) never collide.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type WebhookOutcome = 'accepted' | 'duplicate' | 'ignored' | 'unauthorized' | 'malformed' | 'stale' | 'too_large' | 'unavailable' | 'error';

export interface Metrics {
  registry: Registry;
  webhooks: Counter<'event' | 'outcome'>;
  activations: Counter<string>;
  activationLatency: Histogram<string>;
  clinicWebhooks: Counter<'event' | 'outcome'>;
  /** Reads the queue's job counts by state; set by the composition root when a queue exists. */
  setQueueDepthSource(source: () => Promise<Record<string, number>>): void;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  let depthSource: (() => Promise<Record<string, number>>) | null = null;

  const webhooks = new Counter({
    name: 'webhooks_total',
    help: 'LiveKit webhooks received, by event type and outcome',
    labelNames: ['event', 'outcome'] as const,
    registers: [registry],
  });
  const activations = new Counter({
    name: 'activations_total',
    help: 'Sessions activated (counted once per session, by the worker that recorded the activation)',
    registers: [registry],
  });
  const activationLatency = new Histogram({
    name: 'activation_latency_seconds',
    help: 'From receiving the webhook that completed the pair to session_started sent',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [registry],
  });
  new Gauge({
    name: 'lifecycle_queue_jobs',
    help: 'Jobs in the lifecycle queue by state (delayed: armed timers), read on scrape',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      if (!depthSource) return;
      try {
        const counts = await depthSource();
        for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
      } catch {
        // Redis down: the scrape still answers; /readyz is where that failure shows.
      }
    },
  });

  const clinicWebhooks = new Counter({
    name: 'clinic_webhooks_total',
    help: "Events sent to the clinic's backend, by event type and outcome (delivered, retry, failed)",
    labelNames: ['event', 'outcome'] as const,
    registers: [registry],
  });

  return {
    registry,
    webhooks,
    activations,
    activationLatency,
    clinicWebhooks,
    setQueueDepthSource(source) {
      depthSource = source;
    },
  };
}
