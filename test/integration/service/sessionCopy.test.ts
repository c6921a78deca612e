// Each session's records are copied into a Redis hash for reading; MongoDB keeps the record.
// When Redis loses a hash (a restart without persistence, an expired key), the next read
// rebuilds it from MongoDB and nothing about the session changes.
import Redis from 'ioredis';
import { waitFor } from '../../support/isolation';
import { clinic, createAppointment, deliver, sessionStatus, startService, testConfig, type Appointment, type RunningService } from './harness';

let target: RunningService;
let appointment: Appointment;
let redis: Redis;

beforeEach(async () => {
  target = await startService(testConfig());
  appointment = await createAppointment(target);
  redis = new Redis(target.config.REDIS_URL as string);
});

afterEach(async () => {
  redis.disconnect();
  await target.stop();
});

const copyKey = (sessionId: string): string => `${target.config.SESSION_COPY_PREFIX}:session:{${sessionId}}`;
const eventsKey = (sessionId: string): string => `${target.config.SESSION_COPY_PREFIX}:events:{${sessionId}}`;

test('when a webhook is accepted, then its event is in the session copy in Redis as well as in MongoDB', async () => {
  const t0 = Date.now() - 4000;
  const accepted = await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: t0 });
  expect(accepted.status).toBe(200);
  expect((await redis.hkeys(copyKey(appointment.sessionId))).sort()).toEqual(['~complete', '~fold', '~session']);
  expect(await redis.hkeys(eventsKey(appointment.sessionId))).toEqual([expect.stringMatching(/^EV_/)]);
});

test('when Redis has lost a session copy, then the next webhook rebuilds it from MongoDB and the session still starts', async () => {
  const t0 = Date.now() - 4000;
  expect((await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: t0 })).status).toBe(200);
  expect(await redis.del(copyKey(appointment.sessionId), eventsKey(appointment.sessionId))).toBe(2);

  const completing = await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.counselor, joinedAtMs: t0 + 1000 });
  expect(completing).toMatchObject({ status: 200, json: { outcome: 'accepted', effects: ['activate'] } });
  const view = await waitFor(async () => {
    const current = await sessionStatus(target, appointment.sessionId);
    return current.status === 'active' ? current : null;
  });
  expect(view.actualStart).toBe(new Date(t0 + 1000).toISOString());
  expect(view.participants.map((participant: { connected: boolean }) => participant.connected)).toEqual([true, true]);
  expect(await redis.hexists(copyKey(appointment.sessionId), '~complete')).toBe(1);
});

test('when a session copy is lost after the end, then reading the session rebuilds its attendance and its end', async () => {
  const t0 = Date.now() - 6000;
  await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: t0 });
  await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.counselor, joinedAtMs: t0 + 1000 });
  await waitFor(async () => (await sessionStatus(target, appointment.sessionId)).status === 'active');
  expect((await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/end`)).status).toBe(200);
  await deliver(target, { event: 'room_finished', room: appointment.room });
  const before = await sessionStatus(target, appointment.sessionId);
  expect(before).toMatchObject({ status: 'ended', endReason: 'ended' });

  await redis.del(copyKey(appointment.sessionId), eventsKey(appointment.sessionId));
  const after = await sessionStatus(target, appointment.sessionId);
  expect(after).toEqual(before);
});

test('when the worker activates a session, then the activation is copied into Redis and the API answers what it says', async () => {
  const t0 = Date.now() - 4000;
  await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: t0 });
  await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.counselor, joinedAtMs: t0 + 1000 });
  await waitFor(async () => (await redis.hexists(copyKey(appointment.sessionId), '~activation')) === 1);
  const copied = JSON.parse((await redis.hget(copyKey(appointment.sessionId), '~activation')) as string);
  expect(copied).toMatchObject({ kind: 'activation', sessionId: appointment.sessionId, startedAt: new Date(t0 + 1000).toISOString() });
  // The hash is the read path: what it says is what the API answers.
  const view = await sessionStatus(target, appointment.sessionId);
  expect(view).toMatchObject({ status: 'active', actualStart: copied.startedAt });
});

test('when the same pair has a next session, then each room\'s webhooks reach only its own session', async () => {
  const t0 = Date.now() - 6000;
  await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: t0 });
  expect((await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/cancel`)).status).toBe(200);
  expect((await sessionStatus(target, appointment.sessionId)).status).toBe('cancelled');
  const next = await clinic(target.url, 'POST', '/v1/sessions', { studentIdentity: appointment.student.identity, counselorIdentity: appointment.counselor.identity });
  expect(next.status).toBe(201);
  const { id: nextId, roomName: nextRoom } = next.json as { id: string; roomName: string };
  expect(nextRoom).not.toBe(appointment.room);

  const joined = await deliver(target, { event: 'participant_joined', room: nextRoom, participant: { ...appointment.student, sid: 'PA_next' }, joinedAtMs: Date.now() - 1000 });
  expect(joined).toMatchObject({ status: 200, json: { outcome: 'accepted', sessionId: nextId } });
  // A late leave of the cancelled session's room stays with the cancelled session.
  const late = await deliver(target, { event: 'participant_left', room: appointment.room, participant: appointment.student });
  expect(late).toMatchObject({ status: 200, json: { sessionId: appointment.sessionId } });
  expect((await sessionStatus(target, nextId)).participants.find((entry: { identity: string }) => entry.identity === appointment.student.identity).connected).toBe(true);
});

test('when Redis has lost one event of a session (an AOF window, a failover), then the next webhook rebuilds from MongoDB and decides right', async () => {
  const t0 = Date.now() - 4000;
  expect((await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: t0 })).status).toBe(200);
  const [studentJoin] = await redis.hkeys(eventsKey(appointment.sessionId));
  expect(await redis.hdel(eventsKey(appointment.sessionId), studentJoin as string)).toBe(1);

  // Trusting the copy would see a counselor alone; MongoDB knows the student is there.
  const completing = await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.counselor, joinedAtMs: t0 + 1000 });
  expect(completing).toMatchObject({ status: 200, json: { outcome: 'accepted', effects: ['activate'] } });
  expect(await redis.hlen(eventsKey(appointment.sessionId))).toBe(2);
  await waitFor(async () => (await sessionStatus(target, appointment.sessionId)).status === 'active');
});

test('when Redis has lost the kept state of a session, then the next webhook rebuilds it and decides right', async () => {
  const t0 = Date.now() - 4000;
  await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: t0 });
  expect(await redis.hdel(copyKey(appointment.sessionId), '~fold')).toBe(1);
  const completing = await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.counselor, joinedAtMs: t0 + 1000 });
  expect(completing).toMatchObject({ status: 200, json: { effects: ['activate'] } });
});
