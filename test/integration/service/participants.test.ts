// Appointments with more than two people, through the service on the real stack: sessions
// created with participants, tokens whose role comes from the session's record (an observer's
// hidden and watch-only), the start rule over signed webhooks in every arrival order, a group of
// 15 students with a quorum of 3 (synthetic webhooks), and attendance for everyone named.
import { randomBytes } from 'node:crypto';
import { TokenVerifier } from 'livekit-server-sdk';
import { uniqueName } from '../../support/isolation';
import { clinic, deliver, sessionStatus, sessionWhen, startService, testConfig, type ParticipantSpec, type RunningService } from './harness';

jest.setTimeout(120_000);

let target: RunningService;

beforeAll(async () => {
  target = await startService(testConfig());
});

afterAll(async () => {
  await target.stop();
});

const person = (role: string): ParticipantSpec => ({ sid: `PA_${randomBytes(5).toString('hex')}`, identity: uniqueName(role), attributes: { 'autostart.role': role } });

async function createSession(body: Record<string, unknown>) {
  const created = await clinic(target.url, 'POST', '/v1/sessions', body);
  if (created.status !== 201) throw new Error(`creating a session failed: ${created.status} ${JSON.stringify(created.json)}`);
  return created.json as { id: string; roomName: string; participants: { identity: string; role: string }[] };
}

const statusIs = (sessionId: string, status: string) => sessionWhen(target, sessionId, status);

const permutations = <T>(items: readonly T[]): T[][] =>
  items.length <= 1 ? [[...items]] : items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));

test('when a student, a required guardian and a counselor arrive in any of the six orders, then each session starts at the arrival of the last of them', async () => {
  const orders = permutations(['student', 'guardian', 'counselor'] as const);
  for (const order of orders) {
    const people = { student: person('student'), guardian: person('guardian'), counselor: person('counselor') };
    const session = await createSession({
      studentIdentity: people.student.identity,
      counselorIdentity: people.counselor.identity,
      participants: [{ identity: people.guardian.identity, role: 'guardian', required: true }],
    });
    const t0 = Date.now() - 10_000;
    for (const [index, role] of order.entries()) {
      const answer = await deliver(target, { event: 'participant_joined', room: session.roomName, participant: people[role], joinedAtMs: t0 + index * 1000 });
      expect(answer.status).toBe(200);
      if (index < 2) expect((await sessionStatus(target, session.id)).status).toBe('waiting');
    }
    const active = await statusIs(session.id, 'active');
    expect(active.actualStart).toBe(new Date(t0 + 2000).toISOString());
    expect(active.participants.map((entry: { role: string }) => entry.role)).toEqual(['student', 'counselor', 'guardian']);
  }
});

test('when an optional interpreter arrives after the start, then the call goes on, the interpreter is told, and attendance lists them', async () => {
  const [student, counselor, interpreter] = [person('student'), person('counselor'), person('interpreter')];
  const session = await createSession({
    studentIdentity: student.identity,
    counselorIdentity: counselor.identity,
    participants: [{ identity: interpreter.identity, role: 'interpreter' }],
  });
  const t0 = Date.now() - 10_000;
  await deliver(target, { event: 'participant_joined', room: session.roomName, participant: student, joinedAtMs: t0 });
  await deliver(target, { event: 'participant_joined', room: session.roomName, participant: counselor, joinedAtMs: t0 + 1000 });
  await statusIs(session.id, 'active');
  const late = await deliver(target, { event: 'participant_joined', room: session.roomName, participant: interpreter, joinedAtMs: t0 + 5000 });
  expect(late.json).toMatchObject({ effects: ['notify_active'] });
  const current = await sessionStatus(target, session.id);
  expect(current).toMatchObject({ status: 'active', actualStart: new Date(t0 + 1000).toISOString() });
  expect(current.participants[2]).toMatchObject({ identity: interpreter.identity, role: 'interpreter', connected: true, firstJoinedAt: new Date(t0 + 5000).toISOString() });
});

test('when an observer is connected the whole time, then the observer never starts the session, and gets a hidden token that can only watch', async () => {
  const [student, counselor, observer] = [person('student'), person('counselor'), person('observer')];
  const session = await createSession({
    studentIdentity: student.identity,
    counselorIdentity: counselor.identity,
    participants: [{ identity: observer.identity, role: 'observer' }],
  });
  const t0 = Date.now() - 10_000;
  await deliver(target, { event: 'participant_joined', room: session.roomName, participant: observer, joinedAtMs: t0 });
  await deliver(target, { event: 'participant_joined', room: session.roomName, participant: student, joinedAtMs: t0 + 1000 });
  expect((await sessionStatus(target, session.id)).status).toBe('waiting');
  await deliver(target, { event: 'participant_joined', room: session.roomName, participant: counselor, joinedAtMs: t0 + 3000 });
  const active = await statusIs(session.id, 'active');
  expect(active.actualStart).toBe(new Date(t0 + 3000).toISOString());
  expect(active.participants.find((entry: { identity: string }) => entry.identity === observer.identity)).toMatchObject({ role: 'observer', connected: true });

  const verifier = new TokenVerifier(target.config.LIVEKIT_API_KEY, target.config.LIVEKIT_API_SECRET);
  const observerToken = await clinic(target.url, 'POST', `/v1/sessions/${session.id}/token`, { identity: observer.identity });
  expect(observerToken.status).toBe(200);
  const watching = await verifier.verify(observerToken.json.token);
  expect(watching.video).toMatchObject({ roomJoin: true, room: session.roomName, hidden: true, canSubscribe: true, canPublish: false, canPublishData: false });
  expect(watching.attributes).toMatchObject({ 'autostart.role': 'observer' });
  // Everyone else on the appointment publishes once the session is active; the role is the record's.
  const counselorToken = await verifier.verify((await clinic(target.url, 'POST', `/v1/sessions/${session.id}/token`, { identity: counselor.identity })).json.token);
  expect(counselorToken.video).toMatchObject({ canPublish: true, canPublishData: true });
  expect(counselorToken.video?.hidden).toBeUndefined();
  expect(counselorToken.attributes).toMatchObject({ 'autostart.role': 'counselor' });
  expect((await clinic(target.url, 'POST', `/v1/sessions/${session.id}/token`, { identity: 'someone-else' })).json.error.code).toBe('identity_not_in_session');
});

test('when 15 students and a counselor of a group with quorum 3 arrive, then it starts with the counselor and the third student, and each student has their own lateness', async () => {
  const counselor = person('counselor');
  const students = Array.from({ length: 15 }, () => person('student'));
  const scheduledStart = new Date(Date.now() - 60_000);
  const session = await createSession({
    counselorIdentity: counselor.identity,
    participants: students.map((student) => ({ identity: student.identity, role: 'student' })),
    group: { quorum: 3 },
    scheduledStart: scheduledStart.toISOString(),
  });
  const t0 = scheduledStart.getTime() + 5_000;
  await deliver(target, { event: 'participant_joined', room: session.roomName, participant: students[0] as ParticipantSpec, joinedAtMs: t0 });
  await deliver(target, { event: 'participant_joined', room: session.roomName, participant: counselor, joinedAtMs: t0 + 1000 });
  await deliver(target, { event: 'participant_joined', room: session.roomName, participant: students[1] as ParticipantSpec, joinedAtMs: t0 + 2000 });
  expect((await sessionStatus(target, session.id)).status).toBe('waiting');
  await deliver(target, { event: 'participant_joined', room: session.roomName, participant: students[2] as ParticipantSpec, joinedAtMs: t0 + 3000 });
  for (const [index, student] of students.slice(3).entries()) {
    await deliver(target, { event: 'participant_joined', room: session.roomName, participant: student, joinedAtMs: t0 + 10_000 + index * 1000 });
  }
  const active = await statusIs(session.id, 'active');
  expect(active.actualStart).toBe(new Date(t0 + 3000).toISOString());
  const lateness = active.participants.filter((entry: { role: string }) => entry.role === 'student').map((entry: { lateSeconds: number }) => entry.lateSeconds);
  expect(lateness).toEqual([5, 7, 8, ...Array.from({ length: 12 }, (_, index) => 15 + index)]);
});

test('when the appointment asks what the rules cannot run, then 400 says what is wrong, and a repeat of the same appointment id must match its people', async () => {
  const [student, counselor] = [uniqueName('student'), uniqueName('counselor')];
  const refused = await clinic(target.url, 'POST', '/v1/sessions', { studentIdentity: student, counselorIdentity: counselor, participants: [{ identity: 'sup', role: 'observer', required: true }] });
  expect(refused.status).toBe(400);
  expect(refused.json.error).toMatchObject({ code: 'invalid_request' });
  expect(refused.json.error.message).toContain('observer_required');
  expect((await clinic(target.url, 'POST', '/v1/sessions', { participants: [{ identity: 'g', role: 'guardian' }] })).status).toBe(400);
  expect((await clinic(target.url, 'POST', '/v1/sessions', { studentIdentity: student, counselorIdentity: counselor, participants: [{ identity: 'x', role: 'supervisor' }] })).status).toBe(400);

  const externalId = uniqueName('appointment');
  const body = { studentIdentity: student, counselorIdentity: counselor, externalId, participants: [{ identity: uniqueName('guardian'), role: 'guardian', required: true }] };
  const first = await clinic(target.url, 'POST', '/v1/sessions', body);
  expect(first.status).toBe(201);
  const again = await clinic(target.url, 'POST', '/v1/sessions', body);
  expect(again).toMatchObject({ status: 200, json: { id: first.json.id } });
  const other = await clinic(target.url, 'POST', '/v1/sessions', { ...body, participants: [] });
  expect(other.json.error.code).toBe('external_id_conflict');
});

test('when a group starts at its scheduled time, then its timer starts it with the counselor already there, and a counselor arriving after the time starts it on arrival', async () => {
  const [counselor, student] = [person('counselor'), person('student')];
  const scheduledStart = new Date(Date.now() + 2_000);
  const onTime = await createSession({
    studentIdentity: student.identity,
    counselorIdentity: counselor.identity,
    group: { startAt: 'scheduled' },
    scheduledStart: scheduledStart.toISOString(),
  });
  await deliver(target, { event: 'participant_joined', room: onTime.roomName, participant: counselor, joinedAtMs: Date.now() - 500 });
  expect((await sessionStatus(target, onTime.id)).status).toBe('waiting');
  const started = await statusIs(onTime.id, 'active');
  expect(started.actualStart).toBe(scheduledStart.toISOString());

  const [lateCounselor, lateStudent] = [person('counselor'), person('student')];
  const past = new Date(Date.now() - 5_000);
  const late = await createSession({
    studentIdentity: lateStudent.identity,
    counselorIdentity: lateCounselor.identity,
    group: { startAt: 'scheduled' },
    scheduledStart: past.toISOString(),
  });
  const arrival = Date.now() - 200;
  const answer = await deliver(target, { event: 'participant_joined', room: late.roomName, participant: lateCounselor, joinedAtMs: arrival });
  expect(answer.json).toMatchObject({ effects: ['activate'] });
  expect((await statusIs(late.id, 'active')).actualStart).toBe(new Date(arrival).toISOString());
});
