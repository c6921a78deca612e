// The session's lifecycle through the service with its real timers (BullMQ delayed jobs on the
// real Redis, short windows here): the rejoin grace, no-shows, and the clinic's end and cancel
// racing the timers and each other. LiveKit's events are signed webhooks; the room calls go to
// the real LiveKit (rooms that do not exist there answer "not found", which changes nothing).
import { waitFor } from '../../support/isolation';
import { clinic, createAppointment, deliver, sessionStatus, sessionWhen, startService, testConfig, type RunningService } from './harness';

jest.setTimeout(60_000);

let target: RunningService;

beforeEach(async () => {
  target = await startService(testConfig({ SESSION_REJOIN_GRACE_SECONDS: '3', NO_SHOW_AFTER_SECONDS: '2' }));
});

afterEach(async () => {
  await target.stop();
});

const statusIs = (sessionId: string, status: string) => sessionWhen(target, sessionId, status);

const seconds = (ms: number) => Math.floor(ms / 1000);

test('when both leave an active session and nobody returns within the grace, then it ends at the last leave', async () => {
  const appointment = await createAppointment(target);
  const t0 = Date.now() - 8000;
  const { room, student, counselor } = appointment;
  await deliver(target, { event: 'participant_joined', room, participant: student, joinedAtMs: t0 });
  await deliver(target, { event: 'participant_joined', room, participant: counselor, joinedAtMs: t0 + 1000 });
  await statusIs(appointment.sessionId, 'active');
  await deliver(target, { event: 'participant_left', room, participant: student, createdAt: seconds(Date.now()) - 2 });
  const lastLeave = seconds(Date.now()) - 1;
  expect((await deliver(target, { event: 'participant_left', room, participant: counselor, createdAt: lastLeave })).json).toMatchObject({ effects: ['await_return'] });

  const ended = await statusIs(appointment.sessionId, 'ended');
  expect(ended).toMatchObject({ endReason: 'timeout', actualEnd: new Date(lastLeave * 1000 + 999).toISOString() });
});

test('when someone of the pair returns within the grace, then the timer changes nothing and the session goes on', async () => {
  const appointment = await createAppointment(target);
  const { room, student, counselor } = appointment;
  const t0 = Date.now() - 8000;
  await deliver(target, { event: 'participant_joined', room, participant: student, joinedAtMs: t0 });
  await deliver(target, { event: 'participant_joined', room, participant: counselor, joinedAtMs: t0 + 1000 });
  await statusIs(appointment.sessionId, 'active');
  // The grace (3 s) runs from the leaves' second: the return must be delivered within it, which
  // leaves 2-3 s for three webhooks on a loaded machine (it used to leave 0-1 s and raced).
  const leftAt = seconds(Date.now()) - 1;
  await deliver(target, { event: 'participant_left', room, participant: student, createdAt: leftAt });
  await deliver(target, { event: 'participant_left', room, participant: counselor, createdAt: leftAt });
  await deliver(target, { event: 'participant_joined', room, participant: { ...student, sid: 'PA_back' }, joinedAtMs: Date.now() });
  // Well past the grace of those leaves (their timer has fired): still active, the student connected.
  const due = leftAt * 1000 + 999 + 3000;
  await waitFor(() => Date.now() > due + 1500, { timeoutMs: 10_000, intervalMs: 200 });
  const current = await sessionStatus(target, appointment.sessionId);
  expect(current).toMatchObject({ status: 'active', endReason: null });
  expect(current.participants[0].connected).toBe(true);
});

test('when the clinic ends a session, then it is ended now, a second end changes nothing, and its room is free', async () => {
  const appointment = await createAppointment(target);
  const { room, student, counselor } = appointment;
  expect((await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/end`)).json.error.code).toBe('session_not_active');
  await deliver(target, { event: 'participant_joined', room, participant: student, joinedAtMs: Date.now() - 3000 });
  await deliver(target, { event: 'participant_joined', room, participant: counselor, joinedAtMs: Date.now() - 2000 });
  await statusIs(appointment.sessionId, 'active');
  const before = Date.now();
  const ended = await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/end`);
  expect(ended.json).toMatchObject({ status: 'ended', endReason: 'ended' });
  expect(Date.parse(ended.json.actualEnd)).toBeGreaterThanOrEqual(before);
  expect(ended.json.participants.map((entry: { connected: boolean }) => entry.connected)).toEqual([false, false]);
  const again = await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/end`);
  expect(again).toEqual({ status: 200, json: ended.json });
  expect((await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/cancel`)).json.error.code).toBe('session_ended');
  const next = await clinic(target.url, 'POST', '/v1/sessions', { studentIdentity: appointment.student.identity, counselorIdentity: appointment.counselor.identity });
  expect(next.status).toBe(201);
  expect(next.json.roomName).not.toBe(room);
});

test('when the clinic ends a session while its grace runs out, 20 times, then exactly one closure stands each time', async () => {
  for (let round = 0; round < 20; round += 1) {
    const appointment = await createAppointment(target);
    const { room, student, counselor } = appointment;
    const t0 = Date.now() - 10_000;
    await deliver(target, { event: 'participant_joined', room, participant: student, joinedAtMs: t0 });
    await deliver(target, { event: 'participant_joined', room, participant: counselor, joinedAtMs: t0 + 500 });
    await statusIs(appointment.sessionId, 'active');
    // Left more than the grace ago: the timer is due at once, racing the clinic's end.
    await deliver(target, { event: 'participant_left', room, participant: student, createdAt: seconds(t0) + 3 });
    const [, ending] = await Promise.all([
      deliver(target, { event: 'participant_left', room, participant: counselor, createdAt: seconds(t0) + 4 }),
      clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/end`),
    ]);
    expect([200, 409]).toContain(ending.status);
    const closed = await statusIs(appointment.sessionId, 'ended');
    expect(['ended', 'timeout']).toContain(closed.endReason);
    const again = await sessionStatus(target, appointment.sessionId);
    expect(again).toEqual(closed);
  }
});

test('when the clinic cancels before the start, then it is cancelled, tokens are refused, and a later join changes nothing', async () => {
  const appointment = await createAppointment(target);
  const { room, student, counselor } = appointment;
  await deliver(target, { event: 'participant_joined', room, participant: student, joinedAtMs: Date.now() - 3000 });
  const cancelled = await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/cancel`);
  expect(cancelled.json).toMatchObject({ status: 'cancelled', endReason: 'cancelled', actualStart: null });
  expect((await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/cancel`)).status).toBe(200);
  expect((await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/token`, { identity: student.identity })).json.error.code).toBe('session_cancelled');
  // The room is the cancelled session's alone: a late join completes its attendance and starts nothing.
  expect((await deliver(target, { event: 'participant_joined', room, participant: counselor, joinedAtMs: Date.now() - 1000 })).json).toEqual({
    outcome: 'accepted',
    sessionId: appointment.sessionId,
    effects: [],
  });
  expect((await sessionStatus(target, appointment.sessionId)).status).toBe('cancelled');
});

test('when the clinic cancels after the start, then 409 session_active', async () => {
  const appointment = await createAppointment(target);
  const { room, student, counselor } = appointment;
  await deliver(target, { event: 'participant_joined', room, participant: student, joinedAtMs: Date.now() - 3000 });
  await deliver(target, { event: 'participant_joined', room, participant: counselor, joinedAtMs: Date.now() - 2000 });
  await statusIs(appointment.sessionId, 'active');
  expect(await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/cancel`)).toMatchObject({ status: 409, json: { error: { code: 'session_active' } } });
});

test('when a cancel races the completing join, 20 times, then the session is either cancelled or active, never both', async () => {
  for (let round = 0; round < 20; round += 1) {
    const appointment = await createAppointment(target);
    const { room, student, counselor } = appointment;
    await deliver(target, { event: 'participant_joined', room, participant: student, joinedAtMs: Date.now() - 3000 });
    const [, cancel] = await Promise.all([
      deliver(target, { event: 'participant_joined', room, participant: counselor, joinedAtMs: Date.now() - 2000 }),
      clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/cancel`),
    ]);
    const settled = await waitFor(async () => {
      const current = await sessionStatus(target, appointment.sessionId);
      return current.status === 'cancelled' || current.status === 'active' ? current : null;
    });
    if (cancel.status === 200) expect(settled).toMatchObject({ status: 'cancelled', actualStart: null });
    else expect(cancel.json.error.code).toBe('session_active');
    // Whatever won, it stays: no later flip.
    await new Promise((resolve) => setImmediate(resolve));
    expect((await sessionStatus(target, appointment.sessionId)).status).toBe(settled.status);
  }
});

test('when nobody comes by the end of the no-show window, then the session is a no-show', async () => {
  const created = await clinic(target.url, 'POST', '/v1/sessions', { studentIdentity: 's', counselorIdentity: 'c', scheduledStart: new Date(Date.now() - 1000).toISOString() });
  expect(created.status).toBe(201);
  const record = await statusIs(created.json.id, 'no_show');
  expect(record).toMatchObject({ endReason: 'no_show', actualStart: null });
  expect((await clinic(target.url, 'POST', `/v1/sessions/${created.json.id}/token`, { identity: 's' })).json.error.code).toBe('session_no_show');
});

test('when only the student came, then the no-show records who came and how late', async () => {
  const scheduledStart = Date.now() - 1000;
  const created = await clinic(target.url, 'POST', '/v1/sessions', { studentIdentity: 'stu-late', counselorIdentity: 'cou-absent', scheduledStart: new Date(scheduledStart).toISOString() });
  await deliver(target, { event: 'participant_joined', room: created.json.roomName, participant: { sid: 'PA_late', identity: 'stu-late', attributes: {} }, joinedAtMs: scheduledStart + 700 });
  const record = await statusIs(created.json.id, 'no_show');
  expect(record.participants).toEqual([
    expect.objectContaining({ identity: 'stu-late', firstJoinedAt: new Date(scheduledStart + 700).toISOString(), lateSeconds: 1 }),
    expect.objectContaining({ identity: 'cou-absent', firstJoinedAt: null, lateSeconds: null }),
  ]);
});

test('when a scheduled create is refused for its appointment id, then it arms no no-show timer for the session that holds the id', async () => {
  const externalId = `apt-noshow-conflict-${Date.now()}`;
  const first = await clinic(target.url, 'POST', '/v1/sessions', { externalId, studentIdentity: 's', counselorIdentity: 'c' });
  const scheduledStart = Date.now() - 1500;
  const losing = await clinic(target.url, 'POST', '/v1/sessions', { externalId, studentIdentity: 's', counselorIdentity: 'c', scheduledStart: new Date(scheduledStart).toISOString() });
  expect(losing).toMatchObject({ status: 409, json: { error: { code: 'external_id_conflict' } } });
  // Past the loser's timer (0.5 s from now): the winner, never scheduled, is untouched.
  await waitFor(() => Date.now() > scheduledStart + 2000 + 1000, { timeoutMs: 5000 });
  expect((await sessionStatus(target, first.json.id)).status).toBe('waiting');
});
