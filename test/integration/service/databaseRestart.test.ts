// The database going away in the middle of a burst: FerretDB (a server of this test's own, on its
// own port and files) is killed with SIGKILL, the nearest thing here to a replica set's election,
// and started again on the same port and files. While it is away the intake answers 503 (never a
// 2xx for an event it did not store, never another error) and /readyz names it; once it is back,
// LiveKit's retries bring every refused event in, nothing answered 2xx is missing, and every pair
// that met is active. The session copy and the queue (Redis) stay up throughout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { Queue } from 'bullmq';
import { startFerretdb } from '../../../scripts/stack';
import { databaseUri } from '../../../scripts/shared/serviceEnv';
import { closedAfter, uniqueName, waitFor } from '../../support/isolation';
import { createAppointment, startService, testConfig, webhookBody, type Appointment } from './harness';
import { deliverLikeLiveKit, inBatches, refusalsOtherThan503, type Delivery } from './liveKitDelivery';

jest.setTimeout(120_000);

const SESSIONS = 40;
const ROOMS_AT_ONCE = 10;

const stopAfter = closedAfter(afterEach);

test('when FerretDB is killed and restarted during a burst, then no event it did not store is answered 2xx, /readyz names it while it is away, and once it is back every event is stored and every pair that met is active', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferretdb-restart-'));
  const logDir = path.resolve(__dirname, '../../../.stack/logs', uniqueName('ferretdb-restart'));
  fs.mkdirSync(logDir, { recursive: true });
  let database = await startFerretdb({ dataDir, logDir });
  await database.server.waitReady();
  stopAfter.push(async () => {
    await database.server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const port = Number(new URL(database.uri).port);

  const target = await startService(
    testConfig({
      MONGODB_URI: databaseUri(database.uri, uniqueName('restart').replaceAll('-', '_')),
      // Every probe asks MongoDB itself.
      READINESS_CACHE_MS: '0',
      // LiveKit holds no participant here (signed webhooks only): no pass may record them gone.
      RECONCILE_INTERVAL_SECONDS: '0',
      // Short timers, real mechanisms: an activation that met the outage is tried again soon.
      JOB_BACKOFF_MS: '200',
    }),
  );
  stopAfter.push(() => target.stop());
  const appointments = await inBatches(Array.from({ length: SESSIONS }), 10, () => createAppointment(target));

  const readiness = async () => {
    const response = await fetch(`${target.url}/readyz`);
    return { status: response.status, body: (await response.json()) as { failed: string[] } };
  };
  expect((await readiness()).status).toBe(200);

  // A quarter of the way in, the database dies; it comes back once /readyz has named it and the
  // intake has refused some webhooks meanwhile.
  let answered = 0;
  // The intake's own count of the webhooks it answered 503.
  const refusedSoFar = async () => (await target.service.metrics.webhooks.get()).values.filter((value) => value.labels.outcome === 'unavailable').reduce((sum, value) => sum + value.value, 0);
  const outage: { over?: Promise<{ reportedAfterMs: number; awayMs: number }> } = {};
  const killAndRestart = async () => {
    const killedAt = Date.now();
    const refusedBefore = await refusedSoFar();
    database.server.signal('SIGKILL');
    await database.server.waitExit();
    const reported = await waitFor(async () => {
      const { status, body } = await readiness();
      return status === 503 && body.failed.includes('mongodb') ? Date.now() : null;
    }, { timeoutMs: 15_000, intervalMs: 100 });
    await waitFor(async () => (await refusedSoFar()) >= refusedBefore + 3, { timeoutMs: 15_000, intervalMs: 50 });
    database = await startFerretdb({ dataDir, logDir, port });
    await database.server.waitReady();
    return { reportedAfterMs: reported - killedAt, awayMs: Date.now() - killedAt };
  };
  const t0 = Date.now() - 5000;
  const room = async (appointment: Appointment): Promise<Delivery[]> => {
    const deliveries: Delivery[] = [];
    for (const [participant, joinedAtMs] of [[appointment.student, t0], [appointment.counselor, t0 + 500]] as const) {
      const delivery = await deliverLikeLiveKit(target, webhookBody({ event: 'participant_joined', room: appointment.room, participant, joinedAtMs }));
      deliveries.push(delivery);
      answered += 1;
      if (answered === SESSIONS / 2) outage.over = killAndRestart();
    }
    return deliveries;
  };
  const burstStartedAt = Date.now();
  const perRoom = await inBatches(appointments, ROOMS_AT_ONCE, room);
  const burstMs = Date.now() - burstStartedAt;
  if (!outage.over) throw new Error('the burst ended before the database was killed');
  const { reportedAfterMs, awayMs } = await outage.over;
  await waitFor(async () => (await readiness()).status === 200, { timeoutMs: 15_000, intervalMs: 200 });

  const deliveries = perRoom.flat();
  expect(refusalsOtherThan503(deliveries)).toEqual([]);
  // LiveKit's retries outlasted the outage: every event was taken in the end.
  expect(deliveries.filter((delivery) => !delivery.accepted).map((delivery) => delivery.statuses)).toEqual([]);

  const connection = await mongoose.createConnection(target.config.MONGODB_URI).asPromise();
  const queue = new Queue('lifecycle', { connection: { url: target.config.REDIS_URL }, prefix: target.config.BULLMQ_PREFIX });
  queue.on('error', () => undefined);
  try {
    const stored = new Set((await connection.collection('session_events').find({}, { projection: { _id: 1 } }).toArray()).map((event) => String(event._id)));
    expect(deliveries.filter((delivery) => !stored.has(delivery.eventId)).map((delivery) => delivery.eventId)).toEqual([]);

    const activated = async () => new Set((await connection.collection('session_decisions').find({ kind: 'activation' }, { projection: { sessionId: 1 } }).toArray()).map((decision) => String(decision.sessionId)));
    await waitFor(async () => (await activated()).size === SESSIONS, { timeoutMs: 30_000, intervalMs: 250 }).catch(() => undefined);
    const idle = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
    const refused = deliveries.flatMap((delivery) => delivery.statuses).filter((status) => status === 503).length;
    console.log(
      `database restart: ${deliveries.length} webhooks in ${(burstMs / 1000).toFixed(1)} s; FerretDB away ${(awayMs / 1000).toFixed(1)} s, /readyz named it ${(reportedAfterMs / 1000).toFixed(1)} s after the kill; ${refused} answers 503 (${deliveries.filter((delivery) => delivery.statuses.includes(503)).length} webhooks refused at least once, none given up); slowest answer ${(Math.max(...deliveries.flatMap((delivery) => delivery.tookMs)) / 1000).toFixed(1)} s; ${(await activated()).size}/${SESSIONS} active; jobs left ${JSON.stringify(idle)}`,
    );
    expect(refused).toBeGreaterThan(0);
    const active = await activated();
    expect(appointments.filter((appointment) => !active.has(appointment.sessionId)).map((appointment) => appointment.sessionId)).toEqual([]);
  } finally {
    await queue.close();
    await connection.close();
  }
});
