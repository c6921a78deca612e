// What the webhook path reads from MongoDB, on the real FerretDB and Redis: with the session
// copy whole, a session's webhooks (joins, a redelivery, leaves, room_finished) send no read to
// the database at all, and a redelivery's stored event comes from the copy. When the copy does
// not hold it, the redelivery is read by `_id` alone, the one filter FerretDB v1.24's SQLite
// backend pushes down (any other, `$in` included, decodes and filters every stored event in Go).
import Redis from 'ioredis';
import mongoose from 'mongoose';
import { CopiedSessionStore } from '../../../webhook-service/store/CopiedSessionStore';
import { MongoSessionStore } from '../../../webhook-service/store/MongoSessionStore';
import { RedisSessionCopy } from '../../../webhook-service/store/RedisSessionCopy';
import { mongoUriFor, uniqueName } from '../../support/isolation';
import { aSession, anEvent } from '../../support/sessionStoreConformance';
import { createAppointment, deliver, startService, testConfig, type RunningService } from './harness';

jest.setTimeout(60_000);

interface SentCommand {
  database: string;
  name: string;
  collection: string;
  command: Record<string, unknown>;
}

const READS = new Set(['find', 'count', 'aggregate', 'distinct']);

let target: RunningService;
let redis: Redis;
let sent: SentCommand[];

beforeEach(async () => {
  const config = testConfig();
  // The intake alone: the worker's own reads (an activation's) are not the webhook path.
  target = await startService(testConfig({ MONGODB_URI: `${config.MONGODB_URI}${config.MONGODB_URI.includes('?') ? '&' : '?'}monitorCommands=true` }), { api: true, worker: false });
  redis = new Redis(target.config.REDIS_URL as string);
  sent = [];
  for (const connection of mongoose.connections.filter((candidate) => candidate.readyState === mongoose.ConnectionStates.connected)) {
    watch(connection);
  }
});

function watch(connection: mongoose.Connection): void {
  connection.getClient().on('commandStarted', (started) => {
    sent.push({ database: started.databaseName, name: started.commandName, collection: String(started.command[started.commandName] ?? ''), command: started.command });
  });
}

afterEach(async () => {
  redis.disconnect();
  await target.stop();
});

const reads = (): SentCommand[] => sent.filter((command) => READS.has(command.name));
const databaseOf = (uri: string): string => new URL(uri).pathname.slice(1);

/** The reads `work` sends to the database at `uri`, with its result. */
async function watchReads<T>(uri: string, work: () => Promise<T>): Promise<{ result: T; reads: SentCommand[] }> {
  const mark = sent.length;
  const result = await work();
  return { result, reads: sent.slice(mark).filter((command) => READS.has(command.name) && command.database === databaseOf(uri)) };
}

test('when a session copy is whole, then its webhooks, a redelivery among them, read nothing from the database', async () => {
  const appointment = await createAppointment(target);
  const t0 = Date.now() - 8000;
  const joined = { event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: t0, id: `EV_reads_${appointment.sessionId}` };
  sent = [];
  expect(await deliver(target, joined)).toMatchObject({ status: 200, json: { outcome: 'accepted' } });
  expect(await deliver(target, joined)).toMatchObject({ status: 200, json: { outcome: 'duplicate' } });
  expect(await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.counselor, joinedAtMs: t0 + 1000 })).toMatchObject({ status: 200, json: { outcome: 'accepted', effects: ['activate'] } });
  expect(await deliver(target, { event: 'participant_left', room: appointment.room, participant: appointment.student })).toMatchObject({ status: 200 });
  expect(await deliver(target, { event: 'room_finished', room: appointment.room })).toMatchObject({ status: 200 });

  expect(reads().filter((command) => command.database === databaseOf(target.config.MONGODB_URI))).toEqual([]);
  // The events went in as inserts, and the redelivery's was refused by the unique index, not read back.
  expect(sent.filter((command) => command.name === 'insert' && command.collection === 'session_events').length).toBeGreaterThanOrEqual(5);
});

test('when the copy does not hold a redelivered event, then it is read from the database by its id alone, which FerretDB pushes down, and copied again', async () => {
  // The store the service runs on, on its own database: a copy that lost one event field (Redis
  // gives no sign of which) while the session's head stayed.
  const uri = mongoUriFor(uniqueName('autostart_reads').replaceAll('-', '_'));
  await MongoSessionStore.migrate(uri);
  const database = await MongoSessionStore.connect(`${uri}${uri.includes('?') ? '&' : '?'}monitorCommands=true`);
  const connection = mongoose.connections.find((candidate) => candidate.name === databaseOf(uri) && candidate.readyState === mongoose.ConnectionStates.connected);
  if (!connection) throw new Error(`no connection to ${databaseOf(uri)}`);
  watch(connection);
  const prefix = uniqueName('reads-copy');
  const copy = new RedisSessionCopy({ redis: { kind: 'server', url: target.config.REDIS_URL as string }, prefix, ttlSeconds: 600 });
  await copy.connect();
  try {
    const store = new CopiedSessionStore(database, copy);
    const session = aSession();
    await store.createSession(session);
    const event = anEvent(session);
    expect(await store.recordEvent(event)).toEqual({ inserted: true, stored: event });
    const fromCopy = await watchReads(uri, () => store.recordEvent({ ...event, receivedAt: new Date() }));
    expect(fromCopy.result).toEqual({ inserted: false, stored: event });
    expect(fromCopy.reads).toEqual([]);

    expect(await redis.hdel(`${prefix}:events:{${session.id}}`, event.id)).toBe(1);
    const fromDatabase = await watchReads(uri, () => store.recordEvent({ ...event, receivedAt: new Date() }));
    expect(fromDatabase.result).toEqual({ inserted: false, stored: event });
    expect(fromDatabase.reads.map((read) => read.command.filter)).toEqual([{ _id: event.id }]);
    expect((await copy.readEvent(session.id, event.id))?.id).toBe(event.id);

    const db = connection.getClient().db(databaseOf(uri));
    const explained = await db.command({ explain: { find: 'session_events', filter: { _id: event.id } }, verbosity: 'queryPlanner' });
    const build = await db.command({ buildInfo: 1 });
    if (build.ferretdbVersion) expect(explained.filterPushdown).toBe(true);
    else expect(JSON.stringify(explained.queryPlanner.winningPlan)).not.toContain('COLLSCAN');
  } finally {
    await copy.close();
    await database.close();
  }
});
