// Redis with failover: the service on a primary, a replica and three Sentinels (REDIS_SENTINELS),
// a burst of 200 synthetic sessions' joins sent the way LiveKit sends them (one request at a time
// per room, retried on 5xx and network errors after 1, 2, 4, 8 s), and in the middle of it a
// failover: forced (SENTINEL FAILOVER), or the primary killed (SIGKILL). Afterwards every webhook
// answered 2xx is in MongoDB, every pair that met is active, no start reached the clinic under two
// event ids, and whatever was not answered 2xx was answered 503 (so LiveKit retried it).
//
// Redis replicates asynchronously: what the old primary took after the replica was promoted (its
// jobs, its outbox entries, its part of the session copies) is gone with it. The activations
// those jobs carried come back from MongoDB: the session copies marked under the old primary's
// replication id are rebuilt, and one reconciliation pass queues every activation the records owe.
// The pass runs once, after the burst, because LiveKit holds no participant here (the joins are
// signed webhooks, not clients): a pass during the burst would rightly record a student gone
// before the counselor came. So it also records everyone gone; the activations stand.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import Redis from 'ioredis';
import { Queue } from 'bullmq';
import { startRedisSentinel, type RedisSentinelSet } from '../../../scripts/stack/redisSentinel';
import { uniqueName, waitFor } from '../../support/isolation';
import { startClinicBackend, type ClinicBackend } from '../../support/clinicBackend';
import { createAppointment, signWebhook, startService, testConfig, webhookBody, type Appointment, type RunningService } from './harness';

jest.setTimeout(240_000);

const SESSIONS = 200;
/** LiveKit's retry delays after a 5xx or a network error (protocol webhook/resource_url_notifier.go). */
const LIVEKIT_BACKOFF_MS = [1000, 2000, 4000, 8000];
const ROOMS_AT_ONCE = 40;
/**
 * LiveKit sets no timeout, but drops an event that waited over 30 s in its room's queue: an answer
 * later than this loses the room's next events, so it counts as a hang (-1).
 */
const HUNG_MS = 30_000;

const stopAfter: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (stopAfter.length > 0) await (stopAfter.pop() as () => Promise<unknown>)().catch(() => undefined);
});

interface Delivery {
  eventId: string;
  statuses: number[];
  /** When each answer came, epoch ms, and how long it took. */
  answeredAt: number[];
  tookMs: number[];
  accepted: boolean;
}

/** One webhook as LiveKit delivers it: again after each 5xx or network error, up to five attempts. */
async function deliverLikeLiveKit(target: RunningService, body: string): Promise<Delivery> {
  const delivery: Delivery = { eventId: (JSON.parse(body) as { id: string }).id, statuses: [], answeredAt: [], tookMs: [], accepted: false };
  for (let attempt = 0; attempt <= LIVEKIT_BACKOFF_MS.length; attempt += 1) {
    const authorization = await signWebhook(body, target.config.LIVEKIT_API_KEY, target.config.LIVEKIT_API_SECRET);
    // LiveKit sets no timeout: a request held this long is a hang, and counted as one (-1).
    const sentAt = Date.now();
    const status = await fetch(`${target.url}/livekit/webhook`, { method: 'POST', headers: { 'content-type': 'application/webhook+json', authorization }, body, signal: AbortSignal.timeout(HUNG_MS) })
      .then(async (response) => {
        await response.arrayBuffer();
        return response.status;
      })
      .catch((error: unknown) => ((error as Error).name === 'TimeoutError' ? -1 : 0));
    delivery.answeredAt.push(Date.now());
    delivery.tookMs.push(Date.now() - sentAt);
    if (status === -1) return { ...delivery, statuses: [...delivery.statuses, status] };
    delivery.statuses.push(status);
    if (status >= 200 && status < 300) return { ...delivery, accepted: true };
    if (status !== 0 && status < 500) return delivery;
    if (attempt < LIVEKIT_BACKOFF_MS.length) await new Promise((resolve) => setTimeout(resolve, LIVEKIT_BACKOFF_MS[attempt]));
  }
  return delivery;
}

async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index] as T);
      }
    }),
  );
  return results;
}

async function sentinelService(): Promise<{ redis: RedisSentinelSet; target: RunningService; backend: ClinicBackend }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-sentinel-'));
  const logDir = path.resolve(__dirname, '../../../.stack/logs', uniqueName('redis-sentinel'));
  fs.mkdirSync(logDir, { recursive: true });
  const redis = await startRedisSentinel({ dataDir, logDir });
  stopAfter.push(async () => {
    await redis.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  await redis.waitSettled();
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const backend = await startClinicBackend(secret);
  stopAfter.push(() => backend.close());
  const target = await startService(
    testConfig({
      REDIS_URL: '',
      REDIS_SENTINELS: redis.sentinelList,
      REDIS_SENTINEL_NAME: redis.name,
      // The one pass runs when the test asks (see the header).
      RECONCILE_INTERVAL_SECONDS: '0',
      CLINIC_WEBHOOK_URLS: backend.hooksUrl,
      CLINIC_WEBHOOK_SECRET: secret,
      CLINIC_WEBHOOK_BACKOFF_MS: '200',
    }),
  );
  stopAfter.push(() => target.stop());
  return { redis, target, backend };
}

async function burstThroughFailover(label: string, failover: (redis: RedisSentinelSet) => Promise<void>): Promise<void> {
  const { redis, target, backend } = await sentinelService();
  const primaryBefore = await redis.currentPrimaryPort();
  const appointments = await inBatches(Array.from({ length: SESSIONS }), 10, () => createAppointment(target));

  let answered = 0;
  let failing: Promise<void> | null = null;
  let switchSeen: Promise<number> = Promise.resolve(Date.now());
  const t0 = Date.now() - 5000;
  const room = async (appointment: Appointment): Promise<Delivery[]> => {
    const deliveries: Delivery[] = [];
    for (const [participant, joinedAtMs] of [[appointment.student, t0], [appointment.counselor, t0 + 500]] as const) {
      deliveries.push(await deliverLikeLiveKit(target, webhookBody({ event: 'participant_joined', room: appointment.room, participant, joinedAtMs })));
      answered += 1;
      // A quarter of the way in, the failover starts while the rest keeps coming.
      if (answered === SESSIONS / 2) {
        failing = failover(redis);
        // The switch: when the Sentinels name the new primary.
        switchSeen = waitFor(async () => ((await redis.currentPrimaryPort()) !== primaryBefore ? Date.now() : null), { timeoutMs: 30_000, intervalMs: 50 });
      }
    }
    return deliveries;
  };
  const perRoom = await inBatches(appointments, ROOMS_AT_ONCE, room);
  await failing;
  const switchedAt = await switchSeen;
  expect(await redis.currentPrimaryPort()).not.toBe(primaryBefore);

  const deliveries = perRoom.flat();
  // Whatever was not taken was refused with 503 (LiveKit retries those), never another error.
  expect([...new Set(deliveries.flatMap((delivery) => delivery.statuses).filter((status) => status < 200 || status >= 300))].filter((status) => status !== 503)).toEqual([]);
  const refusedAt = deliveries.flatMap((delivery) => delivery.answeredAt.filter((_, index) => delivery.statuses[index] === 503));

  const connection = await mongoose.createConnection(target.config.MONGODB_URI).asPromise();
  const queue = new Queue('lifecycle', { connection: { sentinels: redis.sentinels, name: redis.name }, prefix: target.config.BULLMQ_PREFIX });
  queue.on('error', () => undefined);
  try {
    const acceptedIds = deliveries.filter((delivery) => delivery.accepted).map((delivery) => delivery.eventId);
    const stored = new Set((await connection.collection('session_events').find({}, { projection: { _id: 1 } }).toArray()).map((event) => String(event._id)));
    expect(acceptedIds.filter((id) => !stored.has(id))).toEqual([]);

    const met = appointments.filter((_, index) => perRoom[index]!.every((delivery) => delivery.accepted));
    const startedAtOf = async (): Promise<Map<string, number>> =>
      new Map(
        (await connection.collection('session_decisions').find({ _id: { $in: met.map((appointment) => `${appointment.sessionId}.opening`) } as never }).toArray()).map((decision) => [
          String(decision.sessionId),
          (decision.createdAt as Date).getTime(),
        ]),
      );

    // First what the queue does by itself: it runs whatever survived the failover, then is idle.
    const queueIdle = async () => {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).every((count) => count === 0);
    };
    await waitFor(queueIdle, { timeoutMs: 60_000, intervalMs: 500 });
    const byQueue = await startedAtOf();

    // Then one pass: every activation the durable records owe and the queue lost is queued again.
    const pass = await queue.add('reconcile', { every: 0 }, { jobId: `reconcile-after-failover-${Date.now()}`, attempts: 1 });
    const report = await waitFor(
      async () => {
        const job = await queue.getJob(pass.id as string);
        if (job && (await job.isFailed())) throw new Error(`the pass failed: ${job.failedReason}`);
        return job && (await job.isCompleted()) ? (job.returnvalue as { activationsQueued: number; sessions: number; skipped: number }) : null;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    await waitFor(async () => (await startedAtOf()).size === met.length, { timeoutMs: 60_000, intervalMs: 500 }).catch(() => undefined);
    const started = await startedAtOf();

    // The clinic never hears a start under two event ids, however often it was sent. That it hears
    // every start is not proven here: the outbox lives in Redis, and its deliveries of the starts
    // the pass re-derived had not arrived when this was last run (the count is printed).
    const startsOf = (sessionId: string) => new Set(backend.received.filter((event) => event.type === 'session.started' && event.sessionId === sessionId).map((event) => event.id));
    await waitFor(() => met.every((appointment) => startsOf(appointment.sessionId).size >= 1), { timeoutMs: 15_000, intervalMs: 500 }).catch(() => undefined);

    const afterSwitch = [...started.values()].filter((at) => at > switchedAt).sort((a, b) => a - b);
    const seconds = (ms: number | undefined) => (ms === undefined ? 'none' : `${(ms / 1000).toFixed(1)} s`);
    console.log(
      [
        `redis failover (${label}): ${deliveries.length} webhooks (slowest answer ${seconds(Math.max(...deliveries.flatMap((delivery) => delivery.tookMs)))}), ${refusedAt.length} answers 503 (${deliveries.filter((delivery) => delivery.statuses.includes(503)).length} webhooks refused at least once, ${deliveries.filter((delivery) => !delivery.accepted).length} given up), refusals from ${seconds(refusedAt.length ? Math.min(...refusedAt) - switchedAt : undefined)} to ${seconds(refusedAt.length ? Math.max(...refusedAt) - switchedAt : undefined)} after the switch`,
        `  first activation recorded after the switch: ${seconds(afterSwitch.length ? (afterSwitch[0] as number) - switchedAt : undefined)}; ${met.length}/${SESSIONS} pairs met; active by the queue alone: ${byQueue.size}; by the pass: ${started.size - byQueue.size} (it queued ${report.activationsQueued} activations over ${report.sessions} open sessions, ${report.skipped} skipped); all active ${seconds(Math.max(...started.values()) - switchedAt)} after the switch; the clinic heard ${met.filter((appointment) => startsOf(appointment.sessionId).size === 1).length}/${met.length} starts within 15 s of that`,
      ].join('\n'),
    );
    expect(met.filter((appointment) => !started.has(appointment.sessionId)).map((appointment) => appointment.sessionId)).toEqual([]);
    expect(met.filter((appointment) => startsOf(appointment.sessionId).size > 1).map((appointment) => appointment.sessionId)).toEqual([]);
    expect(met.length).toBeGreaterThan(SESSIONS * 0.9);
    // One decision per session (a unique _id) whatever ran twice; the counter counts the inserts
    // this process saw succeed, so an insert whose answer was lost on the way (FerretDB under
    // load) and found as a duplicate by the retry is not counted.
    expect((await target.service.metrics.activations.get()).values[0]?.value).toBeLessThanOrEqual(met.length);
  } finally {
    await queue.close();
    await connection.close();
  }
}

test('when Sentinel is told to fail over during a burst of 200 sessions, then nothing answered 2xx is lost, every pair that met ends active (the queue, then one pass from MongoDB), and no start reaches the clinic under two ids', async () => {
  await burstThroughFailover('SENTINEL FAILOVER', async (redis) => {
    const sentinel = new Redis({ host: redis.sentinels[0]!.host, port: redis.sentinels[0]!.port });
    try {
      await sentinel.call('SENTINEL', 'FAILOVER', redis.name);
    } finally {
      sentinel.disconnect();
    }
  });
});

test('when the primary is killed (SIGKILL) during a burst of 200 sessions, then nothing answered 2xx is lost, every pair that met ends active (the queue, then one pass from MongoDB), and no start reaches the clinic under two ids', async () => {
  await burstThroughFailover('SIGKILL of the primary', async (redis) => {
    const primary = redis.dataServers.get(await redis.currentPrimaryPort());
    primary?.signal('SIGKILL');
    await primary?.waitExit();
    // The Sentinels call it down after a second and promote the replica.
    const killed = primary ? [...redis.dataServers].find(([, server]) => server === primary)?.[0] : undefined;
    await waitFor(async () => (await redis.currentPrimaryPort()) !== killed, { timeoutMs: 20_000, intervalMs: 200 });
  });
});
