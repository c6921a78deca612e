// Two service instances on the same database and queue (as in a scaled deployment), fed the same
// LiveKit events at the same time and in racing orders: every decision must still be made once.
// On FerretDB this is what proves "unique inserts, never conditional updates".
import Redis from 'ioredis';
import mongoose from 'mongoose';
import { waitFor } from '../../support/isolation';
import {
  clinic,
  createAppointment,
  deliver,
  openCollections,
  sessionStatus,
  startService,
  testConfig,
  webhookBody,
  type Collections,
  type RunningService,
} from './harness';

let first: RunningService;
let second: RunningService;
let db: Collections;

beforeAll(async () => {
  const config = testConfig();
  [first, second] = await Promise.all([startService(config), startService(config)]);
  db = await openCollections(config);
});

afterAll(async () => {
  await db?.close();
  await Promise.all([first?.stop(), second?.stop()]);
});

const ROUNDS = 20;

test(`when both instances receive the same joins concurrently in racing orders (${ROUNDS} rounds), then each session has one activation and the right record`, async () => {
  for (let round = 0; round < ROUNDS; round += 1) {
    const appointment = await createAppointment(round % 2 === 0 ? first : second);
    const t0 = Date.now() - 5000;
    const studentJoin = webhookBody({ event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: t0 });
    const counselorJoin = webhookBody({ event: 'participant_joined', room: appointment.room, participant: appointment.counselor, joinedAtMs: t0 + 700 });
    // Each instance gets both events (one as LiveKit's retry of the other's), in opposite orders.
    const [a, b] = round % 2 === 0 ? [first, second] : [second, first];
    const responses = await Promise.all([
      deliver(a, studentJoin).then(async (one) => [one, await deliver(a, counselorJoin)]),
      deliver(b, counselorJoin).then(async (one) => [one, await deliver(b, studentJoin)]),
    ]);
    expect(responses.flat().map((response) => response.status)).toEqual([200, 200, 200, 200]);

    const view = await waitFor(async () => {
      const current = await sessionStatus(first, appointment.sessionId);
      return current.status === 'active' ? current : null;
    });
    expect(view.actualStart).toBe(new Date(t0 + 700).toISOString());
    expect(await db.count('session_decisions', { _id: `${appointment.sessionId}.opening` })).toBe(1);
    expect(await db.count('session_events', { sessionId: appointment.sessionId })).toBe(2);
  }
  const activationsCounted = async (target: RunningService) =>
    (await target.service.metrics.registry.getSingleMetric('autostart_activations_total')?.get())?.values[0]?.value ?? 0;
  expect((await activationsCounted(first)) + (await activationsCounted(second))).toBe(ROUNDS);
});

test('when both instances take creates of one appointment at once, then one session exists and every answer names it', async () => {
  const body = { studentIdentity: 'stu', counselorIdentity: 'cou', externalId: `apt-contended-${Date.now()}` };
  const responses = await Promise.all(
    Array.from({ length: 20 }, (_, index) => clinic((index % 2 === 0 ? first : second).url, 'POST', '/v1/sessions', body)),
  );
  expect(responses.map((response) => response.status).sort()).toEqual([200, ...Array(18).fill(200), 201].sort());
  expect(new Set(responses.map((response) => response.json.id)).size).toBe(1);
  expect(await db.count('sessions', { externalId: body.externalId })).toBe(1);
});

test('when the two instances create one appointment at once, 50 rounds, then one 201 and one 200 each round, one session in MongoDB, one copy in Redis', async () => {
  const connection = await mongoose.createConnection(first.config.MONGODB_URI).asPromise();
  const redis = new Redis(first.config.REDIS_URL as string);
  try {
    for (let round = 0; round < 50; round += 1) {
      const externalId = `apt-race-${round}-${Date.now()}`;
      const body = { externalId, studentIdentity: 'stu', counselorIdentity: 'cou' };
      const answers = await Promise.all([clinic(first.url, 'POST', '/v1/sessions', body), clinic(second.url, 'POST', '/v1/sessions', body)]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 201]);
      const id = answers[0]?.json.id;
      expect(answers[1]?.json.id).toBe(id);
      expect(await connection.collection('sessions').countDocuments({ externalId })).toBe(1);
      expect(await redis.hexists(`${first.config.SESSION_COPY_PREFIX}:session:{${id}}`, '~session')).toBe(1);
    }
  } finally {
    redis.disconnect();
    await connection.close();
  }
});

test('when both stores record an activation for the same session at once, then one insert wins and both read its message id', async () => {
  for (let round = 0; round < ROUNDS; round += 1) {
    const sessionId = `ses_race_${round}`;
    const attempt = (target: RunningService, messageId: string) =>
      target.service.store.recordDecision({ kind: 'activation', sessionId, startedAt: new Date(), messageId, createdAt: new Date() });
    const results = await Promise.all([attempt(first, `msg_a_${round}`), attempt(second, `msg_b_${round}`), attempt(first, `msg_c_${round}`)]);
    expect(results.filter((result) => result.created)).toHaveLength(1);
    expect(new Set(results.map((result) => result.winner.messageId)).size).toBe(1);
  }
});
