// Group commit in the intake, on the real FerretDB and Redis: concurrent webhooks' events share
// one insertMany, each stored once whatever the duplicates in a batch; and a webhook is answered
// only once its batch is stored, so a database that dies under a batch gets every webhook of it
// a 503 and none a 2xx, and LiveKit's retries bring them in once it is back.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import mongoose from 'mongoose';
import { startFerretdb } from '../../../scripts/stack';
import { databaseUri } from '../../../scripts/shared/serviceEnv';
import { MongoSessionStore } from '../../../webhook-service/store/MongoSessionStore';
import type { StoredEvent } from '../../../webhook-service/usecases/ports/SessionStore';
import { aSession, anEvent } from '../../support/sessionStoreConformance';
import { mongoUriFor, uniqueName, waitFor } from '../../support/isolation';
import { createAppointment, deliver, startService, testConfig, webhookBody } from './harness';
import { deliverLikeLiveKit, inBatches } from './liveKitDelivery';

jest.setTimeout(90_000);

const stopAfter: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (stopAfter.length > 0) await (stopAfter.pop() as () => Promise<unknown>)().catch(() => undefined);
});

/** The insert commands the store's own connection sends to `session_events`, with their sizes. */
function watchEventInserts(databaseName: string): number[] {
  // The open one: the migration's, closed since, has the same name.
  const connection = mongoose.connections.find((candidate) => candidate.name === databaseName && candidate.readyState === mongoose.ConnectionStates.connected);
  if (!connection) throw new Error(`no connection to ${databaseName}`);
  const sizes: number[] = [];
  connection.getClient().on('commandStarted', (started) => {
    if (started.commandName === 'insert' && started.command.insert === 'session_events') sizes.push((started.command.documents as unknown[]).length);
  });
  return sizes;
}

test('when many sessions store events at once, with duplicates in the same batch and ids already stored, then they share inserts and each event is stored once', async () => {
  const databaseName = uniqueName('autostart_group').replaceAll('-', '_');
  const uri = mongoUriFor(databaseName);
  await MongoSessionStore.migrate(uri);
  // A long window, so that the batches do not depend on the machine's speed.
  const store = await MongoSessionStore.connect(`${uri}${uri.includes('?') ? '&' : '?'}monitorCommands=true`, { groupCommit: { windowMs: 200, maxWrites: 256 } });
  stopAfter.push(() => store.close());
  const inserts = watchEventInserts(databaseName);

  const sessions = Array.from({ length: 30 }, () => aSession());
  for (const session of sessions) await store.createSession(session);
  const alreadyStored = sessions.slice(0, 3).map((session) => anEvent(session));
  for (const event of alreadyStored) await store.recordEvent(event);
  const fresh = sessions.map((session) => anEvent(session));
  inserts.length = 0;

  // A retry racing its original (the same id twice at once), and redeliveries of stored events.
  const later = (event: StoredEvent): StoredEvent => ({ ...event, receivedAt: new Date() });
  const writes: StoredEvent[] = [...fresh, ...fresh.slice(0, 5).map(later), ...alreadyStored.map(later)];
  const results = await Promise.all(writes.map((event) => store.recordEvent(event)));

  const insertedIds = results.filter((result) => result.inserted).map((result) => result.stored.id);
  expect(insertedIds.sort()).toEqual(fresh.map((event) => event.id).sort());
  // Every duplicate answers the event as first stored.
  const first = new Map([...fresh, ...alreadyStored].map((event) => [event.id, event]));
  for (const result of results.filter((entry) => !entry.inserted)) expect(result.stored).toEqual(first.get(result.stored.id));
  expect(results.filter((result) => !result.inserted)).toHaveLength(5 + alreadyStored.length);

  const connection = await mongoose.createConnection(uri).asPromise();
  stopAfter.push(() => connection.close());
  const stored = await connection.collection('session_events').find({}, { projection: { _id: 1 } }).toArray();
  expect(stored).toHaveLength(fresh.length + alreadyStored.length);
  // The first write went alone (the store was idle); those that came while it was in flight went together.
  expect(inserts[0]).toBe(1);
  expect(inserts.length).toBeLessThan(writes.length / 4);
  expect(Math.max(...inserts)).toBeGreaterThan(1);
});

test('when the database dies under a batch of webhooks, then each is answered 503 and none 2xx, and once it is back their retries store each event once', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ferretdb-group-'));
  const logDir = path.resolve(__dirname, '../../../.stack/logs', uniqueName('ferretdb-group'));
  fs.mkdirSync(logDir, { recursive: true });
  let database = await startFerretdb({ dataDir, logDir });
  await database.server.waitReady();
  stopAfter.push(async () => {
    database.server.signal('SIGCONT');
    await database.server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const port = Number(new URL(database.uri).port);
  const target = await startService(
    testConfig({
      MONGODB_URI: databaseUri(database.uri, uniqueName('group').replaceAll('-', '_')),
      GROUP_COMMIT_WINDOW_MS: '20',
      // Signed webhooks only: LiveKit holds nobody, so no pass may record them gone.
      RECONCILE_INTERVAL_SECONDS: '0',
    }),
  );
  stopAfter.push(() => target.stop());
  const appointments = await inBatches(Array.from({ length: 20 }), 10, () => createAppointment(target));
  const redis = new Redis(process.env.REDIS_URL as string);
  stopAfter.push(async () => redis.disconnect());
  const heldLocks = async () => (await redis.keys(`${target.config.SESSION_COPY_PREFIX}:lock:*`)).length;

  // The database stops answering (frozen, then killed): every webhook of the burst is then inside
  // the event insert, its session's lock held, its batch sent or gathering.
  database.server.signal('SIGSTOP');
  const bodies = appointments.map((appointment) => webhookBody({ event: 'participant_joined', room: appointment.room, participant: appointment.student }));
  const answers = Promise.all(bodies.map((body) => deliver(target, body)));
  await waitFor(async () => ((await heldLocks()) === appointments.length ? true : null), { timeoutMs: 15_000, intervalMs: 50 });
  database.server.signal('SIGKILL');
  database.server.signal('SIGCONT');
  await database.server.waitExit();
  const statuses = (await answers).map((answer) => answer.status);
  expect(statuses).toEqual(bodies.map(() => 503));

  database = await startFerretdb({ dataDir, logDir, port });
  await database.server.waitReady();
  // LiveKit retries each refused webhook; then the counselors come.
  const retried = await Promise.all(bodies.map((body) => deliverLikeLiveKit(target, body)));
  expect(retried.filter((delivery) => !delivery.accepted)).toEqual([]);
  await Promise.all(appointments.map((appointment) => deliverLikeLiveKit(target, webhookBody({ event: 'participant_joined', room: appointment.room, participant: appointment.counselor }))));

  const connection = await mongoose.createConnection(target.config.MONGODB_URI).asPromise();
  stopAfter.push(() => connection.close());
  const events = await connection.collection('session_events').find({}, { projection: { _id: 1, sessionId: 1 } }).toArray();
  expect(events).toHaveLength(appointments.length * 2);
  const activated = async () => (await connection.collection('session_decisions').countDocuments({ kind: 'activation' })) === appointments.length || null;
  await waitFor(activated, { timeoutMs: 30_000, intervalMs: 200 });
});
