// Adding, changing and removing an appointment's people before and during the session, through
// the clinic API on the real stack: the start rule follows the change (a required guardian added
// is waited for; removing the last missing one starts the session through the queued
// activation; people added to a running session join it, even one made required), refusals are
// clear (the last required counselor, a closed session, an observer made required), another
// clinic's key finds nothing, repeats and Idempotency-Keys answer once, two instances changing
// one session at once lose nothing, every change is audited, and a removed person connected to
// LiveKit (a real rtc-node client) is disconnected and gets no token.
import { randomBytes } from 'node:crypto';
import { dispose, Room, RoomEvent } from '@livekit/rtc-node';
import { TokenVerifier } from 'livekit-server-sdk';
import { uniqueName, waitFor } from '../../support/isolation';
import { clinic, deliver, startService, testConfig, type ParticipantSpec, type RunningService } from './harness';

jest.setTimeout(120_000);

const NORTH = 'north-portal-key-0123456789abcdef';
const NORTH_READER = 'north-reader-key-0123456789abcdef';
const SOUTH = 'south-portal-key-0123456789abcdef';

let first: RunningService;
let second: RunningService;

beforeAll(async () => {
  const config = testConfig({
    CLINIC_API_TOKEN: '',
    CLINIC_API_KEYS: `north-portal:${NORTH},north-reader:${NORTH_READER},south-portal:${SOUTH}`,
    CLINIC_API_KEY_GRANTS: JSON.stringify({ 'north-portal': { clinic: 'north' }, 'north-reader': { clinic: 'north', scopes: ['sessions:read'] }, 'south-portal': { clinic: 'south' } }),
  });
  // Two instances on one database and queue, as a scaled deployment runs.
  [first, second] = await Promise.all([startService(config), startService(config)]);
});

afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  await dispose();
});

const person = (role: string): ParticipantSpec => ({ sid: `PA_${randomBytes(5).toString('hex')}`, identity: uniqueName(role), attributes: { 'autostart.role': role } });
const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, key = NORTH, target = first) => clinic(target.url, method, path, body, key);
const peoplePath = (sessionId: string, identity: string) => `/v1/sessions/${sessionId}/participants/${encodeURIComponent(identity)}`;

async function createSession(body: Record<string, unknown>) {
  const created = await api('POST', '/v1/sessions', body);
  if (created.status !== 201) throw new Error(`creating a session failed: ${created.status} ${JSON.stringify(created.json)}`);
  return created.json as { id: string; roomName: string };
}

async function sessionStatus(target: RunningService, sessionId: string) {
  const answer = await clinic(target.url, 'GET', `/v1/sessions/${sessionId}`, undefined, NORTH);
  if (answer.status !== 200) throw new Error(`GET session: ${answer.status}`);
  return answer.json;
}

const statusIs = (sessionId: string, status: string) =>
  waitFor(
    async () => {
      const current = await sessionStatus(first, sessionId);
      return current.status === status ? current : null;
    },
    { timeoutMs: 15_000, intervalMs: 100 },
  );

const joinedAt = (target: RunningService, room: string, participant: ParticipantSpec, at: number) => deliver(target, { event: 'participant_joined', room, participant, joinedAtMs: at });

test('when a required guardian is added to a waiting session, then the pair alone no longer starts it, and it starts at the guardian\'s arrival', async () => {
  const [student, counselor, guardian] = [person('student'), person('counselor'), person('guardian')];
  const session = await createSession({ studentIdentity: student.identity, counselorIdentity: counselor.identity, scheduledStart: new Date(Date.now() + 600_000).toISOString() });
  // Added before anyone arrives: the pair alone no longer starts it.
  const added = await api('PUT', peoplePath(session.id, guardian.identity), { role: 'guardian', required: true, label: 'mother' });
  expect(added).toMatchObject({ status: 200, json: { status: 'waiting' } });
  expect(added.json.participants.map((entry: { role: string; label?: string }) => [entry.role, entry.label])).toEqual([
    ['student', undefined],
    ['counselor', undefined],
    ['guardian', 'mother'],
  ]);
  // Arrivals after the change, as LiveKit stamps them (the rule over the new people holds from the change on).
  const t0 = Date.now();
  await joinedAt(first, session.roomName, student, t0);
  await joinedAt(first, session.roomName, counselor, t0 + 1000);
  expect((await sessionStatus(first, session.id)).status).toBe('waiting');
  // The guardian may now have a token, which says whom the start waits for; their arrival completes the rule.
  const minted = await api('POST', `/v1/sessions/${session.id}/token`, { identity: guardian.identity });
  const claims = JSON.parse(Buffer.from(String(minted.json.token).split('.')[1] as string, 'base64url').toString('utf8')) as { attributes: Record<string, string> };
  expect(claims.attributes).toMatchObject({ 'autostart.role': 'guardian', 'autostart.awaits': 'student,counselor,guardian' });
  await joinedAt(second, session.roomName, guardian, t0 + 2000);
  expect((await statusIs(session.id, 'active')).actualStart).toBe(new Date(t0 + 2000).toISOString());
});

test('when the last missing required person is removed, then the session starts through the queued activation, at the moment of the removal', async () => {
  const [student, counselor, guardian] = [person('student'), person('counselor'), person('guardian')];
  const session = await createSession({
    studentIdentity: student.identity,
    counselorIdentity: counselor.identity,
    participants: [{ identity: guardian.identity, role: 'guardian', required: true }],
  });
  const t0 = Date.now() - 10_000;
  await joinedAt(first, session.roomName, student, t0);
  await joinedAt(first, session.roomName, counselor, t0 + 1000);
  expect((await sessionStatus(first, session.id)).status).toBe('waiting');
  const before = Date.now();
  const removed = await api('DELETE', peoplePath(session.id, guardian.identity));
  expect(removed.status).toBe(200);
  expect(removed.json.participants.map((entry: { identity: string }) => entry.identity)).toEqual([student.identity, counselor.identity]);
  const active = await statusIs(session.id, 'active');
  // Not when the pair met (t0 + 1 s): the rule without the guardian holds from the change on.
  expect(new Date(active.actualStart).getTime()).toBeGreaterThanOrEqual(before);
  expect((await api('POST', `/v1/sessions/${session.id}/token`, { identity: guardian.identity })).json.error.code).toBe('identity_not_in_session');
  // A repeat changes nothing and answers the session as it is.
  expect(await api('DELETE', peoplePath(session.id, guardian.identity))).toMatchObject({ status: 200, json: { status: 'active', actualStart: active.actualStart } });
});

test('when a pair that met and parted is left alone by a removal, then the session keeps waiting', async () => {
  const [student, counselor, guardian] = [person('student'), person('counselor'), person('guardian')];
  const session = await createSession({ studentIdentity: student.identity, counselorIdentity: counselor.identity, participants: [{ identity: guardian.identity, role: 'guardian', required: true }] });
  const t0 = Date.now() - 10_000;
  await joinedAt(first, session.roomName, student, t0);
  await joinedAt(first, session.roomName, counselor, t0 + 1000);
  await deliver(first, { event: 'participant_left', room: session.roomName, participant: counselor, createdAt: Math.floor((t0 + 2000) / 1000) });
  expect(await api('DELETE', peoplePath(session.id, guardian.identity))).toMatchObject({ status: 200, json: { status: 'waiting', actualStart: null } });
  // The counselor's return starts it.
  await joinedAt(first, session.roomName, { ...counselor, sid: `PA_${randomBytes(5).toString('hex')}` }, Date.now());
  await statusIs(session.id, 'active');
});

test('when a change would break the appointment, then it is refused with a code that says why, and nothing changes', async () => {
  const [student, counselor] = [person('student'), person('counselor')];
  const session = await createSession({ studentIdentity: student.identity, counselorIdentity: counselor.identity });
  const refusal = async (method: 'PUT' | 'DELETE', identity: string, body?: unknown) => (await api(method, peoplePath(session.id, identity), body)).json.error;
  expect(await refusal('DELETE', counselor.identity)).toMatchObject({ code: 'appointment_conflict', message: expect.stringContaining('last_of_role') });
  expect(await refusal('PUT', counselor.identity, { role: 'counselor', required: false })).toMatchObject({ code: 'appointment_conflict', message: expect.stringContaining('last_required_counselor') });
  expect(await refusal('PUT', student.identity, { role: 'guardian' })).toMatchObject({ code: 'appointment_conflict', message: expect.stringContaining('pair_role_change') });
  expect(await refusal('PUT', uniqueName('supervisor'), { role: 'observer', required: true })).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('observer_required') });
  expect(await refusal('PUT', uniqueName('who'), { role: 'wizard' })).toMatchObject({ code: 'invalid_request' });
  expect(await refusal('PUT', uniqueName('who'), { role: 'guardian', name: 'Ada Lovelace' })).toMatchObject({ code: 'invalid_request' });
  const second = uniqueName('counselor');
  expect((await api('PUT', peoplePath(session.id, second), { role: 'counselor' })).status).toBe(200);
  // With a second counselor, the pair's counselor may go: the seat passes on.
  expect((await api('DELETE', peoplePath(session.id, counselor.identity))).json.participants.map((entry: { identity: string; role: string }) => [entry.identity, entry.role])).toEqual([
    [student.identity, 'student'],
    [second, 'counselor'],
  ]);
  await api('POST', `/v1/sessions/${session.id}/cancel`);
  expect(await refusal('PUT', uniqueName('guardian'), { role: 'guardian' })).toMatchObject({ code: 'session_cancelled' });
});

test("when another clinic's key or a read-only key changes a session, then 404 and 403, and the audit records every change", async () => {
  const session = await createSession({ studentIdentity: uniqueName('student'), counselorIdentity: uniqueName('counselor') });
  const interpreter = uniqueName('interpreter');
  expect(await api('PUT', peoplePath(session.id, interpreter), { role: 'interpreter' }, SOUTH)).toMatchObject({ status: 404, json: { error: { code: 'session_not_found' } } });
  expect(await api('DELETE', peoplePath(session.id, interpreter), undefined, SOUTH)).toMatchObject({ status: 404 });
  expect(await api('PUT', peoplePath(session.id, interpreter), { role: 'interpreter' }, NORTH_READER)).toMatchObject({ status: 403, json: { error: { code: 'clinic_forbidden' } } });
  expect((await api('PUT', peoplePath(session.id, interpreter), { role: 'interpreter' })).status).toBe(200);
  expect((await api('DELETE', peoplePath(session.id, interpreter))).status).toBe(200);
  const audit = (await api('GET', `/v1/sessions/${session.id}/audit`)).json.entries as { action: string; identity: string | null; keyName: string; outcome: { status: number; code: string | null } }[];
  const changes = audit.filter((entry) => entry.action.startsWith('participant.')).reverse();
  // The other clinic's attempts are recorded as refused (who asked for which id); the scope check answers before the audit.
  expect(changes.map((entry) => [entry.action, entry.identity, entry.keyName, entry.outcome.status])).toEqual([
    ['participant.put', interpreter, 'south-portal', 404],
    ['participant.remove', interpreter, 'south-portal', 404],
    ['participant.put', interpreter, 'north-portal', 200],
    ['participant.remove', interpreter, 'north-portal', 200],
  ]);
});

test('when a change carries an Idempotency-Key, then a repeat gets the first answer and runs nothing', async () => {
  const session = await createSession({ studentIdentity: uniqueName('student'), counselorIdentity: uniqueName('counselor') });
  const guardian = uniqueName('guardian');
  const key = `change-${randomBytes(6).toString('hex')}`;
  const put = () =>
    fetch(`${first.url}${peoplePath(session.id, guardian)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${NORTH}`, 'content-type': 'application/json', 'idempotency-key': key },
      body: JSON.stringify({ role: 'guardian', required: true }),
    });
  const [one, two] = [await put(), await put()];
  expect([one.status, two.status]).toEqual([200, 200]);
  expect(two.headers.get('idempotent-replayed')).toBe('true');
  expect(await two.json()).toEqual(await one.json());
});

test('when two instances add ten people to one session at once, then all ten are on it', async () => {
  const session = await createSession({ studentIdentity: uniqueName('student'), counselorIdentity: uniqueName('counselor') });
  const people = Array.from({ length: 10 }, (_, index) => uniqueName(index % 2 === 0 ? 'interpreter' : 'guardian'));
  const answers = await Promise.all(people.map((identity, index) => api('PUT', peoplePath(session.id, identity), { role: index % 2 === 0 ? 'interpreter' : 'guardian' }, NORTH, index % 2 === 0 ? first : second)));
  expect(answers.map((answer) => answer.status)).toEqual(people.map(() => 200));
  const listed = (await sessionStatus(first, session.id)).participants.map((entry: { identity: string }) => entry.identity);
  expect(listed).toEqual(expect.arrayContaining(people));
  expect(listed).toHaveLength(12);
});

test('when a connected interpreter is removed during the session, then LiveKit disconnects them and they get no new token', async () => {
  const [student, counselor, interpreter] = [person('student'), person('counselor'), uniqueName('interpreter')];
  const session = await createSession({ studentIdentity: student.identity, counselorIdentity: counselor.identity, participants: [{ identity: interpreter, role: 'interpreter' }] });
  await joinedAt(first, session.roomName, student, Date.now() - 2000);
  await joinedAt(first, session.roomName, counselor, Date.now() - 1000);
  await statusIs(session.id, 'active');
  const minted = await api('POST', `/v1/sessions/${session.id}/token`, { identity: interpreter });
  const room = new Room();
  let disconnected = false;
  room.on(RoomEvent.Disconnected, () => {
    disconnected = true;
  });
  await room.connect(minted.json.url, minted.json.token, { autoSubscribe: false, dynacast: false });
  try {
    expect(await api('DELETE', peoplePath(session.id, interpreter))).toMatchObject({ status: 200, json: { status: 'active' } });
    await waitFor(async () => disconnected || null, { timeoutMs: 10_000, intervalMs: 50 });
    expect((await api('POST', `/v1/sessions/${session.id}/token`, { identity: interpreter })).json.error.code).toBe('identity_not_in_session');
  } finally {
    await room.disconnect();
  }
});

test('when an interpreter and a required guardian are added during the session, then it goes on, their tokens may publish at once, and their arrivals join the running call', async () => {
  const [student, counselor, interpreter, guardian] = [person('student'), person('counselor'), person('interpreter'), person('guardian')];
  const session = await createSession({ studentIdentity: student.identity, counselorIdentity: counselor.identity });
  const t0 = Date.now() - 10_000;
  await joinedAt(first, session.roomName, student, t0);
  await joinedAt(first, session.roomName, counselor, t0 + 1000);
  const started = await statusIs(session.id, 'active');
  expect(await api('PUT', peoplePath(session.id, interpreter.identity), { role: 'interpreter' })).toMatchObject({ status: 200, json: { status: 'active' } });
  // Required under a rule the clinic changed after the start: the running session is not stopped for them.
  expect(await api('PUT', peoplePath(session.id, guardian.identity), { role: 'guardian', required: true }, NORTH, second)).toMatchObject({ status: 200, json: { status: 'active', actualStart: started.actualStart } });
  const verifier = new TokenVerifier(first.config.LIVEKIT_API_KEY, first.config.LIVEKIT_API_SECRET);
  for (const [newcomer, role] of [[interpreter, 'interpreter'], [guardian, 'guardian']] as const) {
    const claims = await verifier.verify((await api('POST', `/v1/sessions/${session.id}/token`, { identity: newcomer.identity })).json.token);
    expect(claims.video).toMatchObject({ canPublish: true, canPublishData: true });
    expect(claims.attributes).toMatchObject({ 'autostart.role': role });
  }
  expect((await joinedAt(second, session.roomName, interpreter, t0 + 5000)).json).toMatchObject({ effects: ['notify_active'] });
  expect((await joinedAt(first, session.roomName, guardian, t0 + 6000)).json).toMatchObject({ effects: ['notify_active'] });
  const current = await sessionStatus(first, session.id);
  expect(current).toMatchObject({ status: 'active', actualStart: started.actualStart });
  expect(current.participants.map((entry: { identity: string; role: string; connected: boolean }) => [entry.identity, entry.role, entry.connected])).toEqual([
    [student.identity, 'student', true],
    [counselor.identity, 'counselor', true],
    [interpreter.identity, 'interpreter', true],
    [guardian.identity, 'guardian', true],
  ]);
});
