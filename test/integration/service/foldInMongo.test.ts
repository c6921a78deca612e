// With MongoDB alone (no Redis copy), the kept fold lives in MongoDB (session_folds), so a webhook
// reads one fold and counts the session's events instead of reading and replaying them all: its
// cost does not grow with the session's history. Measured on the real database by counting the
// events the intake reads back, with a long history stored first; the same webhooks with no fold
// kept (as before the SessionFolds port: a no-op) read the whole history every time.
import { ManualClock, InProcessLocks, RecordingClinicEvents, RecordingJobs } from '../../support/fakes/fakes';
import { mongoUriFor, uniqueName } from '../../support/isolation';
import { signWebhook, webhookBody, type EventSpec } from '../../../scripts/shared/livekitWebhooks';
import { roomNameFor } from '../../../plugin';
import { newSessionId } from '../../../webhook-service/ids';
import { liveKitWebhookVerifier } from '../../../webhook-service/livekit/webhookVerifier';
import { MongoSessionStore } from '../../../webhook-service/store/MongoSessionStore';
import { ingestWebhook, type IngestWebhookDeps } from '../../../webhook-service/usecases/ingestWebhook';
import type { SessionFolds } from '../../../webhook-service/usecases/ports/SessionFolds';
import type { SessionStore } from '../../../webhook-service/usecases/ports/SessionStore';

const KEY = 'fold-key';
const SECRET = 'fold-secret-fold-secret-fold-secret';
const T0 = Date.parse('2030-01-02T03:00:00.000Z');
/** Events stored before the measure: the student's join, then a guest joining and leaving 40 times. */
const GUEST_VISITS = 40;
const HISTORY = 1 + 2 * GUEST_VISITS;
const MEASURED = 10;
/** A hundred-odd webhooks on FerretDB, and the replays of the second test: slow on a loaded machine. */
const SLOW_MS = 90_000;

let database: MongoSessionStore;

beforeAll(async () => {
  const uri = mongoUriFor(uniqueName('autostart_folds').replaceAll('-', '_'));
  await MongoSessionStore.migrate(uri);
  database = await MongoSessionStore.connect(uri);
});

afterAll(async () => {
  await database.close();
});

/** The store, counting every stored event it hands back (loadRecords and rebuildRecords are the only reads of events). */
function countingEventsRead(store: SessionStore): { store: SessionStore; eventsRead: () => number } {
  let read = 0;
  const counted = Object.create(store) as SessionStore;
  for (const name of ['loadRecords', 'rebuildRecords'] as const) {
    counted[name] = async (sessionId: string) => {
      const records = await store[name](sessionId);
      read += records?.events.length ?? 0;
      return records;
    };
  }
  return { store: counted, eventsRead: () => read };
}

function intake(store: SessionStore, folds: SessionFolds) {
  const clock = new ManualClock(T0);
  const deps: IngestWebhookDeps = {
    verifier: liveKitWebhookVerifier(KEY, SECRET),
    store,
    folds,
    locks: new InProcessLocks(),
    jobs: new RecordingJobs(),
    events: new RecordingClinicEvents(),
    clock,
    rules: { rejoinGraceMs: 60_000, noShowAfterMs: null },
    maxAgeSeconds: 300,
  };
  return async (spec: EventSpec) => {
    clock.advance(1000);
    const body = webhookBody({ createdAt: Math.floor(clock.now() / 1000), ...spec });
    return ingestWebhook(deps, body, await signWebhook(body, KEY, SECRET));
  };
}

/** A session whose room has seen HISTORY events: the student waiting, a guest coming and going. */
async function aSessionWithHistory(deliver: ReturnType<typeof intake>) {
  const id = newSessionId();
  const room = roomNameFor(id);
  await database.createSession({ id, roomName: room, clinicId: 'clinic-north', externalId: null, studentIdentity: 'stu', counselorIdentity: 'cou', scheduledStart: null, createdAt: new Date(T0) });
  await deliver({ event: 'participant_joined', room, participant: { sid: 'PA_stu', identity: 'stu' } });
  for (let visit = 0; visit < GUEST_VISITS; visit += 1) {
    const guest = { sid: `PA_g${visit}`, identity: 'guest-visitor' };
    await deliver({ event: 'participant_joined', room, participant: guest });
    await deliver({ event: 'participant_left', room, participant: guest });
  }
  return { id, room };
}

async function measure(folds: SessionFolds): Promise<{ eventsRead: number; stored: number; effects: unknown }> {
  const counting = countingEventsRead(database);
  const deliver = intake(counting.store, folds);
  const { id, room } = await aSessionWithHistory(deliver);
  const before = counting.eventsRead();
  for (let index = 0; index < MEASURED - 1; index += 1) await deliver({ event: 'participant_joined', room, participant: { sid: `PA_m${index}`, identity: 'guest-visitor' } });
  // The counselor completes the pair: the fold must have kept the student's join from the start.
  const last = await deliver({ event: 'participant_joined', room, participant: { sid: 'PA_cou', identity: 'cou' } });
  return { eventsRead: counting.eventsRead() - before, stored: (await database.loadHead(id))?.eventCount ?? 0, effects: last };
}

test(`with MongoDB alone, ${MEASURED} webhooks on a session of ${HISTORY} events read no stored event, and the kept fold still knows the student waits`, async () => {
  const kept = await measure(database.folds);
  expect(kept.stored).toBe(HISTORY + MEASURED);
  expect(kept.eventsRead).toBe(0);
  expect(kept.effects).toMatchObject({ outcome: 'accepted', effects: expect.arrayContaining(['activate']) });
}, SLOW_MS);

test('without a kept fold (the no-op MongoDB kept before), the same webhooks read the whole history each time', async () => {
  const none: SessionFolds = { read: async () => null, keep: async () => undefined };
  const replayed = await measure(none);
  expect(replayed.effects).toMatchObject({ outcome: 'accepted', effects: expect.arrayContaining(['activate']) });
  // Each webhook rebuilt the state from every event stored so far: about HISTORY each.
  expect(replayed.eventsRead).toBeGreaterThanOrEqual(MEASURED * HISTORY);
}, SLOW_MS);
