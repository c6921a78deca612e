// Redis with failover: the service on a primary, a replica and three Sentinels (REDIS_SENTINELS),
// a burst of 200 synthetic sessions' joins sent the way LiveKit sends them (one request at a time
// per room, retried on 5xx and network errors after 1, 2, 4, 8 s), and in the middle of it a
// failover: forced (SENTINEL FAILOVER), or the primary killed (SIGKILL). Afterwards every webhook
// answered 2xx is in MongoDB; every pair whose joins are stored is active, with the activation's
// snapshot in its LiveKit room (what both of them get on connect) under the one message id the
// decision recorded, whatever ran twice; and whatever was not answered 2xx was answered 503 (so
// LiveKit retried it). No clinic endpoint here: its outbox doubles the database writes of every
// webhook, and FerretDB's writes are what this burst waits on (the outbox's dedupe by event id
// has tests of its own).
//
// Redis replicates asynchronously: what the old primary took before the connections left it
// (its jobs, its part of the session copies) is gone with it. The activations those jobs carried
// come back from MongoDB: the session copies marked under the old primary's replication id are
// rebuilt, and one reconciliation pass queues every activation the records owe. The pass runs
// once, after the burst, because LiveKit holds no participant here (the joins are signed
// webhooks, not clients): a pass during the burst would rightly record a student gone before the
// counselor came. So it also records everyone gone; the activations stand.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import Redis from 'ioredis';
import { Queue } from 'bullmq';
import { RoomServiceClient } from 'livekit-server-sdk';
import { parseSnapshot } from '../../../plugin';
import { livekitHttpUrl } from '../../../scripts/stack';
import { startRedisSentinel, type RedisSentinelSet } from '../../../scripts/stack/redisSentinel';
import { closedAfter, uniqueName, waitFor } from '../../support/isolation';
import { createAppointment, startService, testConfig, webhookBody, type Appointment, type RunningService } from './harness';
import { deliverLikeLiveKit, inBatches, refusalsOtherThan503, type Delivery } from './liveKitDelivery';

jest.setTimeout(180_000);

const SESSIONS = 200;
/** Rooms sending at once (LiveKit: one request at a time per room, rooms in parallel). */
const ROOMS_AT_ONCE = 20;

const stopAfter = closedAfter(afterEach);

async function sentinelService(): Promise<{ redis: RedisSentinelSet; target: RunningService }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'redis-sentinel-'));
  const logDir = path.resolve(__dirname, '../../../.stack/logs', uniqueName('redis-sentinel'));
  fs.mkdirSync(logDir, { recursive: true });
  const redis = await startRedisSentinel({ dataDir, logDir });
  stopAfter.push(async () => {
    await redis.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  await redis.waitSettled();
  const target = await startService(
    testConfig({
      REDIS_URL: '',
      REDIS_SENTINELS: redis.sentinelList,
      REDIS_SENTINEL_NAME: redis.name,
      // The one pass runs when the test asks (see the header).
      RECONCILE_INTERVAL_SECONDS: '0',
      // Short timers, real mechanisms: a job that met the switch is tried again within a second.
      JOB_BACKOFF_MS: '200',
      // No worker dies here: a job slowed by the loaded database must not be taken for stalled
      // and run again (the harness's 2 s lock is for the tests that kill workers).
      WORKER_LOCK_DURATION_MS: '15000',
      WORKER_STALLED_INTERVAL_MS: '5000',
    }),
  );
  stopAfter.push(() => target.stop());
  return { redis, target };
}

const seconds = (ms: number | undefined) => (ms === undefined ? 'none' : `${(ms / 1000).toFixed(1)} s`);

/** Every answer by when it came, in 5 s steps from the switch: where the time went. */
function timeline(deliveries: readonly Delivery[], switchedAt: number): string {
  const steps = new Map<number, { ok: number; refused: number; slowest: number }>();
  for (const delivery of deliveries) {
    delivery.statuses.forEach((status, index) => {
      const step = Math.floor(((delivery.answeredAt[index] as number) - switchedAt) / 5000) * 5;
      const entry = steps.get(step) ?? { ok: 0, refused: 0, slowest: 0 };
      if (status >= 200 && status < 300) entry.ok += 1;
      else entry.refused += 1;
      entry.slowest = Math.max(entry.slowest, delivery.tookMs[index] as number);
      steps.set(step, entry);
    });
  }
  return [...steps.entries()]
    .sort(([a], [b]) => a - b)
    .map(([step, entry]) => `${step}s: ${entry.ok} ok/${entry.refused} refused (slowest ${seconds(entry.slowest)})`)
    .join('; ');
}

async function burstThroughFailover(label: string, failover: (redis: RedisSentinelSet) => Promise<void>): Promise<void> {
  const { redis, target } = await sentinelService();
  const primaryBefore = await redis.currentPrimaryPort();
  const appointments = await inBatches(Array.from({ length: SESSIONS }), 10, () => createAppointment(target));
  // Each session's room exists (nobody in it), so the activation's snapshot lands where both
  // participants would read it on connect.
  const livekit = new RoomServiceClient(livekitHttpUrl(target.config.LIVEKIT_URL), target.config.LIVEKIT_API_KEY, target.config.LIVEKIT_API_SECRET);
  await inBatches(appointments, 10, (appointment) => livekit.createRoom({ name: appointment.room, emptyTimeout: 600 }));
  stopAfter.push(() => Promise.all(appointments.map((appointment) => livekit.deleteRoom(appointment.room).catch(() => undefined))));

  let answered = 0;
  let failing: Promise<void> | null = null;
  let switchSeen: Promise<number> = Promise.resolve(Date.now());
  const t0 = Date.now() - 5000;
  const burstStartedAt = Date.now();
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
  const burstEndedAt = Date.now();
  await failing;
  const switchedAt = await switchSeen;
  expect(await redis.currentPrimaryPort()).not.toBe(primaryBefore);

  const deliveries = perRoom.flat();
  // Whatever was not taken was refused with 503 (LiveKit retries those), never another error, nor a hang.
  expect(refusalsOtherThan503(deliveries)).toEqual([]);
  const refusedAt = deliveries.flatMap((delivery) => delivery.answeredAt.filter((_, index) => delivery.statuses[index] === 503));

  const connection = await mongoose.createConnection(target.config.MONGODB_URI).asPromise();
  const queue = new Queue('lifecycle', { connection: { sentinels: redis.sentinels, name: redis.name }, prefix: target.config.BULLMQ_PREFIX });
  queue.on('error', () => undefined);
  try {
    const acceptedIds = deliveries.filter((delivery) => delivery.accepted).map((delivery) => delivery.eventId);
    const stored = new Set((await connection.collection('session_events').find({}, { projection: { _id: 1 } }).toArray()).map((event) => String(event._id)));
    expect(acceptedIds.filter((id) => !stored.has(id))).toEqual([]);

    // A pair met when both joins are stored, whether or not LiveKit heard a 2xx for them (a 503
    // for the intake's deadline leaves the work going on, and the event stored).
    const met = appointments.filter((_, index) => perRoom[index]!.every((delivery) => stored.has(delivery.eventId)));
    const activations = async (): Promise<Map<string, { at: number; messageId: string }>> =>
      new Map(
        (await connection.collection('session_decisions').find({ _id: { $in: met.map((appointment) => `${appointment.sessionId}.opening`) } as never }).toArray()).map((decision) => [
          String(decision.sessionId),
          { at: (decision.createdAt as Date).getTime(), messageId: String(decision.messageId) },
        ]),
      );

    // First what the queue does by itself: it runs whatever survived the failover, then is idle.
    const queueIdle = async () => {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return Object.values(counts).every((count) => count === 0);
    };
    await waitFor(queueIdle, { timeoutMs: 60_000, intervalMs: 250 });
    const queueIdleAt = Date.now();
    const byQueue = await activations();

    // Then one pass: every activation the durable records owe and the queue lost is queued again.
    const pass = await queue.add('reconcile', { every: 0 }, { jobId: `reconcile-after-failover-${Date.now()}`, attempts: 1 });
    const report = await waitFor(
      async () => {
        const job = await queue.getJob(pass.id as string);
        if (job && (await job.isFailed())) throw new Error(`the pass failed: ${job.failedReason}`);
        return job && (await job.isCompleted()) ? (job.returnvalue as { activationsQueued: number; sessions: number; skipped: number }) : null;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await waitFor(async () => (await activations()).size === met.length, { timeoutMs: 30_000, intervalMs: 250 }).catch(() => undefined);
    const started = await activations();
    const allActiveAt = Date.now();

    // Both told: the room's snapshot (what each of them reads on connect, and what confirms the
    // data message) says active, under the message id the one recorded activation holds.
    const rooms = new Map((await livekit.listRooms(met.map((appointment) => appointment.room))).map((listed) => [listed.name, listed.metadata]));
    const untold = () =>
      met.filter((appointment) => {
        const snapshot = parseSnapshot(rooms.get(appointment.room));
        return !snapshot.ok || snapshot.value.status !== 'active' || snapshot.value.messageId !== started.get(appointment.sessionId)?.messageId;
      });
    await waitFor(
      async () => {
        for (const listed of await livekit.listRooms(untold().map((appointment) => appointment.room))) rooms.set(listed.name, listed.metadata);
        return untold().length === 0;
      },
      { timeoutMs: 15_000, intervalMs: 250 },
    ).catch(() => undefined);

    const afterSwitch = [...started.values()].map((activation) => activation.at).filter((at) => at > switchedAt).sort((a, b) => a - b);
    console.log(
      [
        `redis failover (${label}): ${deliveries.length} webhooks in ${seconds(burstEndedAt - burstStartedAt)} (${ROOMS_AT_ONCE} rooms at once; slowest answer ${seconds(Math.max(...deliveries.flatMap((delivery) => delivery.tookMs)))}); ${refusedAt.length} answers 503 (${deliveries.filter((delivery) => delivery.statuses.includes(503)).length} webhooks refused at least once, ${deliveries.filter((delivery) => !delivery.accepted).length} given up), refusals from ${seconds(refusedAt.length ? Math.min(...refusedAt) - switchedAt : undefined)} to ${seconds(refusedAt.length ? Math.max(...refusedAt) - switchedAt : undefined)} after the switch`,
        `  answers: ${timeline(deliveries, switchedAt)}`,
        `  switch ${seconds(switchedAt - burstStartedAt)} into the burst; burst over ${seconds(burstEndedAt - switchedAt)} after it; queue idle ${seconds(queueIdleAt - switchedAt)}; pass done and all active ${seconds(allActiveAt - switchedAt)} after it; first activation after the switch: ${seconds(afterSwitch.length ? (afterSwitch[0] as number) - switchedAt : undefined)}`,
        `  ${met.length}/${SESSIONS} pairs met; active by the queue alone: ${byQueue.size}; by the pass: ${started.size - byQueue.size} (it queued ${report.activationsQueued} activations over ${report.sessions} open sessions, ${report.skipped} skipped); rooms told: ${met.length - untold().length}/${met.length}`,
      ].join('\n'),
    );
    expect(met.filter((appointment) => !started.has(appointment.sessionId)).map((appointment) => appointment.sessionId)).toEqual([]);
    expect(untold().map((appointment) => appointment.sessionId)).toEqual([]);
    expect(met.length).toBeGreaterThan(SESSIONS * 0.9);
    // One decision per session (a unique _id) whatever ran twice; the counter counts the inserts
    // this process saw succeed, so it never passes the decisions stored.
    expect((await target.service.metrics.activations.get()).values[0]?.value).toBeLessThanOrEqual(started.size);
  } finally {
    await queue.close();
    await connection.close();
  }
}

test('when Sentinel is told to fail over during a burst of 200 sessions, then nothing answered 2xx is lost, every pair that met ends active and its room told under one message id (the queue, then one pass from MongoDB)', async () => {
  await burstThroughFailover('SENTINEL FAILOVER', async (redis) => {
    const sentinel = new Redis({ host: redis.sentinels[0]!.host, port: redis.sentinels[0]!.port });
    try {
      await sentinel.call('SENTINEL', 'FAILOVER', redis.name);
    } finally {
      sentinel.disconnect();
    }
  });
});

test('when the primary is killed (SIGKILL) during a burst of 200 sessions, then nothing answered 2xx is lost, every pair that met ends active and its room told under one message id (the queue, then one pass from MongoDB)', async () => {
  await burstThroughFailover('SIGKILL of the primary', async (redis) => {
    const killedPort = await redis.currentPrimaryPort();
    const primary = redis.dataServers.get(killedPort);
    if (!primary) throw new Error(`no data server on the primary's port ${killedPort}`);
    primary.signal('SIGKILL');
    await primary.waitExit();
    // The Sentinels call it down after a second and promote the replica.
    await waitFor(async () => (await redis.currentPrimaryPort()) !== killedPort, { timeoutMs: 20_000, intervalMs: 200 });
  });
});
