// Prometheus metrics, all named `autostart_*`, on a registry of the app's own (not prom-client's
// global one), so two service instances in one process (the multi-instance tests) never collide.
// Node's process metrics keep their standard names (process_*, nodejs_*).
//
// Gauges that describe shared state (queue depth, outbox backlog, open sessions) are read on
// scrape from Redis, so every instance reports the same values: alert on max(), not sum().
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type WebhookOutcome = 'accepted' | 'duplicate' | 'ignored' | 'unauthorized' | 'malformed' | 'stale' | 'too_large' | 'unavailable' | 'error';

/** What a reconciliation pass repaired, by kind. */
export type RepairKind = 'join' | 'leave' | 'presence' | 'activation' | 'snapshot' | 'timer' | 'close' | 'grant';

/** The open sessions as the last reconciliation pass (on any instance) saw them. */
export interface OpenSessionsSummary {
  /** When that pass ran, epoch ms. */
  at: number;
  /** Open sessions by status. */
  count: { waiting: number; active: number };
  /** The oldest open session's reference time by status, epoch ms (waiting: its scheduledStart, else its creation; active: its start), or null. */
  oldest: { waiting: number | null; active: number | null };
}

export interface OutboxBacklog {
  /** Per endpoint (by name): deliveries waiting to be sent, and deliveries that gave up (kept for a retry on request). */
  endpoints: { endpoint: string; pending: number; failed: number }[];
  /** Chains (a session's events for one endpoint) Redis marks as due: all Redis holds of the outbox. */
  dueChains: number;
}

/** The outbox's gauges, each read from the one backlog of a scrape (in MongoDB by endpoint; the chains Redis marks as due). */
const OUTBOX_GAUGES: { name: string; help: string; byEndpoint: boolean; read: (backlog: OutboxBacklog) => [Record<string, string>, number][] }[] = [
  {
    name: 'autostart_outbox_pending_deliveries',
    help: "Events waiting for the clinic's backend (in MongoDB), by endpoint name, read on scrape",
    byEndpoint: true,
    read: (backlog) => backlog.endpoints.map(({ endpoint, pending }) => [{ endpoint }, pending]),
  },
  {
    name: 'autostart_outbox_failed_deliveries',
    help: "Events to the clinic's backend that gave up and wait for a retry on request, by endpoint name, read on scrape",
    byEndpoint: true,
    read: (backlog) => backlog.endpoints.map(({ endpoint, failed }) => [{ endpoint }, failed]),
  },
  {
    name: 'autostart_outbox_due_chains',
    help: "Sessions with events due for an endpoint, as Redis indexes them (the outbox's whole Redis footprint), read on scrape",
    byEndpoint: false,
    read: (backlog) => [[{}, backlog.dueChains]],
  },
];

export interface Metrics {
  registry: Registry;
  webhooks: Counter<'event' | 'outcome'>;
  activations: Counter<string>;
  activationLatency: Histogram<string>;
  clinicWebhooks: Counter<'event' | 'outcome'>;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  /** Set when a webhook's signature held (whatever became of the event). */
  lastWebhook: Gauge<string>;
  /** Our clock minus a signed webhook's createdAt, in seconds, for the last one received (LiveKit's clock offset plus the delivery's delay). */
  webhookClockOffset: Gauge<string>;
  /** The same, for every signed webhook, as a distribution of its magnitude. */
  webhookAge: Histogram<string>;
  reconcileRepairs: Counter<'kind'>;
  /** 1 when this instance's last readiness check passed, 0 when not (or draining). */
  ready: Gauge<string>;
  readinessFailures: Counter<'dependency'>;
  /** Reads the queue's job counts by state; set by the composition root when a queue exists. */
  setQueueDepthSource(source: () => Promise<Record<string, number>>): void;
  setOutboxSource(source: () => Promise<OutboxBacklog>): void;
  setOpenSessionsSource(source: () => Promise<OpenSessionsSummary | null>): void;
}

/** Outcomes of a webhook whose signature held: it came from LiveKit. */
export const SIGNED_OUTCOMES: readonly WebhookOutcome[] = ['accepted', 'duplicate', 'ignored', 'stale', 'malformed', 'unavailable'];

export function createMetrics(options: { defaultMetrics?: boolean; now?: () => number } = {}): Metrics {
  const registry = new Registry();
  const now = options.now ?? Date.now;
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  let depthSource: (() => Promise<Record<string, number>>) | null = null;
  let outboxSource: (() => Promise<OutboxBacklog>) | null = null;
  let openSource: (() => Promise<OpenSessionsSummary | null>) | null = null;
  // Redis down: the scrape still answers, without these series; /readyz is where that failure shows.
  const quietly = async <T>(read: (() => Promise<T>) | null): Promise<T | null> => (read ? read().catch(() => null) : null);

  const webhooks = new Counter({
    name: 'autostart_webhooks_total',
    help: 'LiveKit webhooks received, by event type and outcome',
    labelNames: ['event', 'outcome'] as const,
    registers: [registry],
  });
  const lastWebhook = new Gauge({
    name: 'autostart_last_webhook_timestamp_seconds',
    help: 'When this instance last received a webhook whose signature held (unix seconds)',
    registers: [registry],
  });
  const webhookClockOffset = new Gauge({
    name: 'autostart_webhook_clock_offset_seconds',
    help: "Our clock minus the last signed webhook's createdAt, in seconds: LiveKit's clock offset plus the delivery's delay (createdAt has whole seconds). Webhooks beyond WEBHOOK_MAX_AGE_SECONDS either way are refused as stale",
    registers: [registry],
  });
  const webhookAge = new Histogram({
    name: 'autostart_webhook_age_seconds',
    help: "How far each signed webhook's createdAt is from our clock, either way, in seconds",
    buckets: [1, 2, 5, 10, 30, 60, 120, 240, 300, 600],
    registers: [registry],
  });
  const activations = new Counter({
    name: 'autostart_activations_total',
    help: 'Sessions activated (counted once per session, by the worker that recorded the activation)',
    registers: [registry],
  });
  const activationLatency = new Histogram({
    name: 'autostart_activation_latency_seconds',
    help: 'From receiving the webhook that completed the pair to session_started sent',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'autostart_http_request_duration_seconds',
    help: 'HTTP requests by method, route (its pattern, not the path) and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const ready = new Gauge({
    name: 'autostart_ready',
    help: "1 when this instance's last readiness check passed, 0 when it failed or the instance drains",
    registers: [registry],
  });
  const readinessFailures = new Counter({
    name: 'autostart_readiness_failures_total',
    help: 'Readiness checks that failed, by dependency (mongodb, redis, livekit)',
    labelNames: ['dependency'] as const,
    registers: [registry],
  });
  const reconcileRepairs = new Counter({
    name: 'autostart_reconcile_repairs_total',
    help: 'What reconciliation repaired, by kind: join, leave (a lost webhook), presence (reopened by a later listing), activation (re-queued), snapshot (rewritten), timer (a due timer whose job was lost), close (a close that did not finish), grant (publishing granted)',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  for (const kind of ['join', 'leave', 'presence', 'activation', 'snapshot', 'timer', 'close', 'grant'] satisfies RepairKind[]) reconcileRepairs.inc({ kind }, 0);
  new Gauge({
    name: 'autostart_lifecycle_queue_jobs',
    help: 'Jobs in the lifecycle queue by state (delayed: armed timers), read on scrape',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      const counts = await quietly(depthSource);
      for (const [state, count] of Object.entries(counts ?? {})) this.set({ state }, count);
    },
  });
  // prom-client collects every gauge of a scrape at once: the outbox's share one read of the backlog.
  let backlogRead: { at: number; value: Promise<OutboxBacklog | null> } | null = null;
  const readBacklog = () => {
    if (!backlogRead || now() - backlogRead.at > 1000) backlogRead = { at: now(), value: quietly(outboxSource) };
    return backlogRead.value;
  };
  for (const { name, help, byEndpoint, read } of OUTBOX_GAUGES) {
    new Gauge({
      name,
      help,
      labelNames: byEndpoint ? ['endpoint'] : [],
      registers: [registry],
      async collect() {
        const backlog = await readBacklog();
        if (backlog) for (const [labels, value] of read(backlog)) this.set(labels, value);
      },
    });
  }
  const openSessions = new Gauge({
    name: 'autostart_open_sessions',
    help: 'Open sessions by status, as the last reconciliation pass saw them',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const lastPass = new Gauge({
    name: 'autostart_reconcile_last_pass_timestamp_seconds',
    help: 'When the last reconciliation pass (on any instance) finished (unix seconds)',
    registers: [registry],
  });
  new Gauge({
    name: 'autostart_open_session_oldest_age_seconds',
    help: 'Age of the oldest open session by status (waiting: since its scheduled start, or its creation; active: since its start), from the last reconciliation pass',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      const summary = await quietly(openSource);
      if (!summary) return;
      lastPass.set(summary.at / 1000);
      for (const status of ['waiting', 'active'] as const) {
        openSessions.set({ status }, summary.count[status]);
        const oldest = summary.oldest[status];
        this.set({ status }, oldest === null ? 0 : Math.max(0, (now() - oldest) / 1000));
      }
    },
  });

  const clinicWebhooks = new Counter({
    name: 'autostart_clinic_webhooks_total',
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
    httpDuration,
    lastWebhook,
    webhookClockOffset,
    webhookAge,
    reconcileRepairs,
    ready,
    readinessFailures,
    setQueueDepthSource(source) {
      depthSource = source;
    },
    setOutboxSource(source) {
      outboxSource = source;
    },
    setOpenSessionsSource(source) {
      openSource = source;
    },
  };
}
