// The webhook intake against the real stack: what each LiveKit event does to a session, in order,
// out of order and twice; and that every refused webhook answers its status and writes nothing.
import { randomBytes } from 'node:crypto';
import { waitFor } from '../../support/isolation';
import {
  clinic,
  createAppointment,
  deliver,
  openCollections,
  postWebhook,
  sessionStatus,
  signWebhook,
  startService,
  testConfig,
  webhookBody,
  type Appointment,
  type Collections,
  type RunningService,
} from './harness';

let target: RunningService;
let db: Collections;
let appointment: Appointment;

beforeEach(async () => {
  target = await startService(testConfig());
  db = await openCollections(target.config);
  appointment = await createAppointment(target);
});

afterEach(async () => {
  await db.close();
  await target.stop();
});

const iso = (ms: number) => new Date(ms).toISOString();
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('when the student and the counselor are both connected', () => {
  test('when both join, then the session turns active, starting when the second one joined', async () => {
    const t0 = Date.now() - 5000;
    const student = await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: t0 });
    expect(student).toMatchObject({ status: 200, json: { outcome: 'accepted', effects: ['waiting'] } });
    expect((await sessionStatus(target, appointment.sessionId)).status).toBe('waiting');

    const counselor = await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.counselor, joinedAtMs: t0 + 1500 });
    expect(counselor).toMatchObject({ status: 200, json: { outcome: 'accepted', effects: ['activate'] } });

    const view = await waitFor(async () => {
      const current = await sessionStatus(target, appointment.sessionId);
      return current.status === 'active' ? current : null;
    });
    expect(view).toMatchObject({
      actualStart: iso(t0 + 1500),
      actualEnd: null,
      participants: [
        { identity: appointment.student.identity, role: 'student', connected: true, intervals: [{ joinedAt: iso(t0), leftAt: null }] },
        { identity: appointment.counselor.identity, role: 'counselor', connected: true, intervals: [{ joinedAt: iso(t0 + 1500), leftAt: null }] },
      ],
    });
    expect(await db.count('session_decisions')).toBe(1);
  });

  test('when every webhook is delivered twice, then each event is stored once and the session activates once', async () => {
    const t0 = Date.now() - 5000;
    const bodies = [
      webhookBody({ event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: t0 }),
      webhookBody({ event: 'participant_joined', room: appointment.room, participant: appointment.counselor, joinedAtMs: t0 + 1000 }),
    ];
    const outcomes: string[] = [];
    for (const body of [...bodies, ...bodies, bodies[1] as string]) {
      const response = await deliver(target, body);
      expect(response.status).toBe(200);
      outcomes.push((response.json as { outcome: string }).outcome);
    }
    expect(outcomes).toEqual(['accepted', 'accepted', 'duplicate', 'duplicate', 'duplicate']);
    await waitFor(async () => (await sessionStatus(target, appointment.sessionId)).status === 'active');
    expect(await db.count('session_events')).toBe(2);
    expect(await db.count('session_decisions')).toBe(1);
  });

  test('when the webhooks arrive out of order, then the state is the one of LiveKit time order', async () => {
    const t0 = Date.now() - 10_000;
    const { room, student, counselor } = appointment;
    // Student t0..t0+4000, counselor from t0+2000: they overlapped from t0+2000.
    await deliver(target, { event: 'participant_left', room, participant: student, createdAt: Math.floor((t0 + 4000) / 1000) });
    await deliver(target, { event: 'participant_joined', room, participant: counselor, joinedAtMs: t0 + 2000 });
    const last = await deliver(target, { event: 'participant_joined', room, participant: student, joinedAtMs: t0 });
    expect(last.json).toMatchObject({ effects: ['activate'] });

    const view = await waitFor(async () => {
      const current = await sessionStatus(target, appointment.sessionId);
      return current.status === 'active' ? current : null;
    });
    expect(view.actualStart).toBe(iso(t0 + 2000));
    expect(view.participants[0]).toMatchObject({ connected: false, intervals: [{ joinedAt: iso(t0), leftAt: iso(Math.floor((t0 + 4000) / 1000) * 1000 + 999) }] });
  });

  test('when the two were never connected at the same time, then the session keeps waiting', async () => {
    const t0 = Date.now() - 10_000;
    const { room, student, counselor } = appointment;
    const responses = [
      await deliver(target, { event: 'participant_joined', room, participant: student, joinedAtMs: t0 }),
      await deliver(target, { event: 'participant_left', room, participant: student, createdAt: Math.floor((t0 + 1000) / 1000) }),
      await deliver(target, { event: 'participant_joined', room, participant: counselor, joinedAtMs: t0 + 3000 }),
      await deliver(target, { event: 'participant_connection_aborted', room, participant: { ...student, sid: 'PA_aborted' } }),
    ];
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    // Each of them waited alone for the other: that is all that happened.
    expect(responses.flatMap((response) => (response.json as { effects: string[] }).effects)).toEqual(['waiting', 'waiting']);
    const view = await sessionStatus(target, appointment.sessionId);
    expect(view).toMatchObject({ status: 'waiting', actualStart: null });
    // The aborted connection never counted as connected: no interval for it.
    expect(view.participants[0].intervals).toHaveLength(1);
    expect(await db.count('session_decisions')).toBe(0);
  });
});

describe('when the room starts and finishes', () => {
  test('when room_started, joins, leaves and room_finished arrive, then the session stays active until its end, and a next session of the pair never sees its events', async () => {
    const start = nowSeconds() - 20;
    const { room, student, counselor } = appointment;
    expect((await deliver(target, { event: 'room_started', room, createdAt: start })).json).toMatchObject({ outcome: 'accepted' });
    await deliver(target, { event: 'participant_joined', room, participant: student, joinedAtMs: (start + 1) * 1000 });
    await deliver(target, { event: 'participant_joined', room, participant: counselor, joinedAtMs: (start + 2) * 1000 });
    await deliver(target, { event: 'participant_left', room, participant: student, createdAt: start + 10 });
    await deliver(target, { event: 'participant_left', room, participant: counselor, createdAt: start + 11 });
    const finishedBody = webhookBody({ event: 'room_finished', room, createdAt: start + 12 });
    const finished = await deliver(target, finishedBody);
    expect(finished.json).toMatchObject({ outcome: 'accepted', effects: [] });
    await waitFor(async () => (await sessionStatus(target, appointment.sessionId)).status === 'active');

    const ended = await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/end`);
    expect(ended.status).toBe(200);
    const view = await sessionStatus(target, appointment.sessionId);
    expect(view).toMatchObject({ status: 'ended', endReason: 'ended', actualStart: iso((start + 2) * 1000) });
    expect(view.participants.map((entry: { connected: boolean }) => entry.connected)).toEqual([false, false]);

    // The pair's next appointment has a room of its own...
    const next = await clinic(target.url, 'POST', '/v1/sessions', { studentIdentity: student.identity, counselorIdentity: counselor.identity });
    expect(next.status).toBe(201);
    expect(next.json.roomName).not.toBe(room);
    // ...and a late redelivery of the old room_finished belongs to the old session, not to the new one.
    expect((await deliver(target, finishedBody)).json).toMatchObject({ outcome: 'duplicate', sessionId: appointment.sessionId });
    expect((await sessionStatus(target, next.json.id)).status).toBe('waiting');
  });

  test('when LiveKit sends an event type sessions do not use, then it answers 200 ignored and stores nothing', async () => {
    for (const event of ['track_published', 'track_unpublished', 'egress_started', 'ingress_ended']) {
      const response = await deliver(target, { event, room: appointment.room, participant: appointment.student });
      expect(response).toEqual({ status: 200, json: { ignored: 'event_type' } });
    }
    expect(await db.count('session_events')).toBe(0);
  });

  test('when the room has no open session, then the event is ignored and nothing is stored', async () => {
    const response = await deliver(target, { event: 'participant_joined', room: 'room-without-session', participant: appointment.student });
    expect(response).toEqual({ status: 200, json: { ignored: 'no_session' } });
    expect(await db.count('session_events')).toBe(0);
  });
});

describe('when a webhook cannot be trusted or used, then it gets its status and nothing is written', () => {
  const joinBody = () => webhookBody({ event: 'participant_joined', room: appointment.room, participant: appointment.student });
  const key = () => target.config.LIVEKIT_API_KEY;
  const secret = () => target.config.LIVEKIT_API_SECRET;

  afterEach(async () => {
    expect(await db.count('session_events')).toBe(0);
    expect(await db.count('session_decisions')).toBe(0);
  });

  test('when the Authorization header is missing, then 401', async () => {
    const response = await postWebhook(target.url, joinBody(), null);
    expect(response).toMatchObject({ status: 401, json: { error: { code: 'webhook_unauthorized' } } });
  });

  test('when it is signed with another secret, then 401', async () => {
    const body = joinBody();
    const response = await postWebhook(target.url, body, await signWebhook(body, key(), `forged-${randomBytes(16).toString('hex')}`));
    expect(response.status).toBe(401);
  });

  test('when it is signed by another API key, then 401', async () => {
    const body = joinBody();
    const response = await postWebhook(target.url, body, await signWebhook(body, 'another-key', secret()));
    expect(response.status).toBe(401);
  });

  test('when the body was changed after signing, then 401', async () => {
    const body = joinBody();
    const authorization = await signWebhook(body, key(), secret());
    const response = await postWebhook(target.url, body.replace(appointment.student.identity, appointment.counselor.identity), authorization);
    expect(response.status).toBe(401);
  });

  test('when the signature has expired, then 401', async () => {
    const body = joinBody();
    const response = await postWebhook(target.url, body, await signWebhook(body, key(), secret(), -60));
    expect(response.status).toBe(401);
  });

  test('when the body is larger than WEBHOOK_MAX_BYTES, then 413', async () => {
    const body = webhookBody({
      event: 'participant_joined',
      room: appointment.room,
      participant: { ...appointment.student, attributes: { padding: 'x'.repeat(70 * 1024) } },
    });
    const response = await postWebhook(target.url, body, await signWebhook(body, key(), secret()));
    expect(response).toMatchObject({ status: 413, json: { error: { code: 'payload_too_large' } } });
  });

  test('when a signed body is not JSON, then 400', async () => {
    const body = 'this is not json';
    const response = await postWebhook(target.url, body, await signWebhook(body, key(), secret()));
    expect(response).toMatchObject({ status: 400, json: { error: { code: 'webhook_malformed' } } });
  });

  test('when a signed participant event has no participant, then 400', async () => {
    const body = webhookBody({ event: 'participant_joined', room: appointment.room });
    const response = await postWebhook(target.url, body, await signWebhook(body, key(), secret()));
    expect(response).toMatchObject({ status: 400, json: { error: { code: 'webhook_malformed' } } });
  });

  test('when the event was created long before now (a replay), then 400 stale', async () => {
    const body = webhookBody({ event: 'participant_joined', room: appointment.room, participant: appointment.student, createdAt: nowSeconds() - 3600 });
    const response = await postWebhook(target.url, body, await signWebhook(body, key(), secret()));
    expect(response).toMatchObject({ status: 400, json: { error: { code: 'webhook_stale' } } });
  });
});
