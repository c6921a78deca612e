// Telling the people in a call that a supervisor observes it (observersDisclosed), on the real
// stack: join tokens carry autostart.observed only for visible people of an appointment that
// names an observer and discloses it; an observer added or removed during the session changes
// the attributes of the people already connected (real rtc-node clients see it, and LiveKit's
// own listing); the activation's grant keeps them; and the observer's tokens, joins and leaves
// are recorded whether the session discloses or not.
import { randomBytes } from 'node:crypto';
import { dispose, Room } from '@livekit/rtc-node';
import { RoomServiceClient, TokenVerifier } from 'livekit-server-sdk';
import { uniqueName, waitFor } from '../../support/isolation';
import { clinic, deliver, sessionStatus, startService, testConfig, type ParticipantSpec, type RunningService } from './harness';

jest.setTimeout(120_000);

const OBSERVED = 'autostart.observed';

let target: RunningService;
let liveKit: RoomServiceClient;
let verifier: TokenVerifier;
const rooms: Room[] = [];

beforeAll(async () => {
  target = await startService(testConfig());
  liveKit = new RoomServiceClient(target.config.LIVEKIT_URL, target.config.LIVEKIT_API_KEY, target.config.LIVEKIT_API_SECRET);
  verifier = new TokenVerifier(target.config.LIVEKIT_API_KEY, target.config.LIVEKIT_API_SECRET);
});

afterEach(async () => {
  await Promise.all(rooms.splice(0).map((room) => room.disconnect()));
});

afterAll(async () => {
  await target?.stop();
  await dispose();
});

const person = (role: string): ParticipantSpec => ({ sid: `PA_${randomBytes(5).toString('hex')}`, identity: uniqueName(role), attributes: { 'autostart.role': role } });
const peoplePath = (sessionId: string, identity: string) => `/v1/sessions/${sessionId}/participants/${encodeURIComponent(identity)}`;

async function createSession(body: Record<string, unknown>) {
  const created = await clinic(target.url, 'POST', '/v1/sessions', body);
  if (created.status !== 201) throw new Error(`creating a session failed: ${created.status} ${JSON.stringify(created.json)}`);
  return created.json as { id: string; roomName: string; observersDisclosed: boolean };
}

async function mint(sessionId: string, identity: string): Promise<{ token: string; url: string }> {
  const minted = await clinic(target.url, 'POST', `/v1/sessions/${sessionId}/token`, { identity });
  if (minted.status !== 200) throw new Error(`minting a token failed: ${minted.status} ${JSON.stringify(minted.json)}`);
  return minted.json;
}

const attributesOf = async (sessionId: string, identity: string) => (await verifier.verify((await mint(sessionId, identity)).token)).attributes ?? {};

async function connect(sessionId: string, identity: string): Promise<Room> {
  const { url, token } = await mint(sessionId, identity);
  const room = new Room();
  rooms.push(room);
  await room.connect(url, token, { autoSubscribe: false, dynacast: false });
  return room;
}

/** What LiveKit itself holds for a participant now. */
async function listed(roomName: string, identity: string) {
  return (await liveKit.listParticipants(roomName)).find((participant) => participant.identity === identity);
}

/** Both people connected for real, then their joins delivered: the session starts and LiveKit grants publishing. */
async function startWithPairConnected(session: { id: string; roomName: string }, student: ParticipantSpec, counselor: ParticipantSpec): Promise<{ counselorRoom: Room }> {
  await connect(session.id, student.identity);
  const counselorRoom = await connect(session.id, counselor.identity);
  await deliver(target, { event: 'participant_joined', room: session.roomName, participant: student, joinedAtMs: Date.now() - 2000 });
  await deliver(target, { event: 'participant_joined', room: session.roomName, participant: counselor, joinedAtMs: Date.now() - 1000 });
  await waitFor(async () => ((await listed(session.roomName, student.identity))?.permission?.canPublish ? true : null), { timeoutMs: 15_000, intervalMs: 100 });
  return { counselorRoom };
}

test('when the appointment names an observer, then every visible person\'s token carries the notice unless the session does not disclose, and the observer\'s own never does', async () => {
  const people = { student: uniqueName('student'), counselor: uniqueName('counselor'), guardian: uniqueName('guardian'), interpreter: uniqueName('interpreter'), observer: uniqueName('supervisor') };
  const participants = [
    { identity: people.guardian, role: 'guardian', required: true },
    { identity: people.interpreter, role: 'interpreter' },
    { identity: people.observer, role: 'observer' },
  ];
  const disclosed = await createSession({ studentIdentity: people.student, counselorIdentity: people.counselor, participants });
  expect(disclosed.observersDisclosed).toBe(true);
  for (const identity of [people.student, people.counselor, people.guardian, people.interpreter]) {
    expect(await attributesOf(disclosed.id, identity)).toMatchObject({ [OBSERVED]: 'disclosed' });
  }
  expect(await attributesOf(disclosed.id, people.observer)).not.toHaveProperty(OBSERVED);

  const undisclosed = await createSession({ studentIdentity: people.student, counselorIdentity: people.counselor, participants, observersDisclosed: false });
  expect(undisclosed.observersDisclosed).toBe(false);
  expect((await sessionStatus(target, undisclosed.id)).observersDisclosed).toBe(false);
  for (const identity of Object.values(people)) expect(await attributesOf(undisclosed.id, identity)).not.toHaveProperty(OBSERVED);

  // Disclosed, but nobody observes: nothing to tell.
  const unobserved = await createSession({ studentIdentity: people.student, counselorIdentity: people.counselor, participants: participants.slice(0, 2) });
  expect(await attributesOf(unobserved.id, people.student)).not.toHaveProperty(OBSERVED);
});

test('when a repeat of an appointment id asks another observersDisclosed, then it is a conflict, and the same request answers the same session', async () => {
  const body = { studentIdentity: uniqueName('student'), counselorIdentity: uniqueName('counselor'), participants: [{ identity: uniqueName('supervisor'), role: 'observer' }], externalId: uniqueName('appointment') };
  const first = await createSession({ ...body, observersDisclosed: false });
  expect(await clinic(target.url, 'POST', '/v1/sessions', { ...body, observersDisclosed: false })).toMatchObject({ status: 200, json: { id: first.id, observersDisclosed: false } });
  expect(await clinic(target.url, 'POST', '/v1/sessions', body)).toMatchObject({ status: 409, json: { error: { code: 'external_id_conflict' } } });
  expect(await clinic(target.url, 'POST', '/v1/sessions', { ...body, observersDisclosed: 'no' })).toMatchObject({ status: 400, json: { error: { code: 'invalid_request' } } });
});

test('when an observer is added during the session, then the people connected are told (as a LiveKit client sees them), and told no more when the observer is removed', async () => {
  const [student, counselor] = [person('student'), person('counselor')];
  const session = await createSession({ studentIdentity: student.identity, counselorIdentity: counselor.identity });
  const { counselorRoom } = await startWithPairConnected(session, student, counselor);
  const studentSeen = () => counselorRoom.remoteParticipants.get(student.identity)?.attributes ?? {};
  expect(studentSeen()).not.toHaveProperty(OBSERVED);

  const observer = uniqueName('supervisor');
  expect((await clinic(target.url, 'PUT', peoplePath(session.id, observer), { role: 'observer' })).status).toBe(200);
  await waitFor(async () => (studentSeen()[OBSERVED] === 'disclosed' ? true : null), { timeoutMs: 10_000, intervalMs: 50 });
  expect(counselorRoom.localParticipant?.attributes[OBSERVED]).toBe('disclosed');
  // The update sets the notice alone: the role stays, and so does the activation's grant.
  const studentListed = await listed(session.roomName, student.identity);
  expect(studentListed?.attributes).toMatchObject({ 'autostart.role': 'student', [OBSERVED]: 'disclosed' });
  expect(studentListed?.permission?.canPublish).toBe(true);
  // The observer, connected, is not told about themselves.
  await connect(session.id, observer);
  expect((await listed(session.roomName, observer))?.attributes).not.toHaveProperty(OBSERVED);

  expect((await clinic(target.url, 'DELETE', peoplePath(session.id, observer))).status).toBe(200);
  await waitFor(async () => (studentSeen()[OBSERVED] === undefined ? true : null), { timeoutMs: 10_000, intervalMs: 50 });
  expect((await listed(session.roomName, counselor.identity))?.attributes).not.toHaveProperty(OBSERVED);
  expect((await listed(session.roomName, counselor.identity))?.attributes).toMatchObject({ 'autostart.role': 'counselor' });
});

test('when a session with an observer starts, then the activation\'s grant keeps the notice the tokens carried', async () => {
  const [student, counselor] = [person('student'), person('counselor')];
  const session = await createSession({ studentIdentity: student.identity, counselorIdentity: counselor.identity, participants: [{ identity: uniqueName('supervisor'), role: 'observer' }] });
  const { counselorRoom } = await startWithPairConnected(session, student, counselor);
  expect((await listed(session.roomName, student.identity))?.attributes).toMatchObject({ 'autostart.role': 'student', [OBSERVED]: 'disclosed' });
  expect(counselorRoom.remoteParticipants.get(student.identity)?.attributes[OBSERVED]).toBe('disclosed');
});

test('when someone connects with a token minted before an observer was added, then the start tells them with its grant', async () => {
  const [student, counselor] = [person('student'), person('counselor')];
  const session = await createSession({ studentIdentity: student.identity, counselorIdentity: counselor.identity });
  const early = await mint(session.id, student.identity);
  expect((await verifier.verify(early.token)).attributes ?? {}).not.toHaveProperty(OBSERVED);
  expect((await clinic(target.url, 'PUT', peoplePath(session.id, uniqueName('supervisor')), { role: 'observer' })).status).toBe(200);
  const studentRoom = new Room();
  rooms.push(studentRoom);
  await studentRoom.connect(early.url, early.token, { autoSubscribe: false, dynacast: false });
  expect((await listed(session.roomName, student.identity))?.attributes).not.toHaveProperty(OBSERVED);

  await connect(session.id, counselor.identity);
  await deliver(target, { event: 'participant_joined', room: session.roomName, participant: student, joinedAtMs: Date.now() - 2000 });
  await deliver(target, { event: 'participant_joined', room: session.roomName, participant: counselor, joinedAtMs: Date.now() - 1000 });
  await waitFor(async () => ((await listed(session.roomName, student.identity))?.permission?.canPublish ? true : null), { timeoutMs: 15_000, intervalMs: 100 });
  expect((await listed(session.roomName, student.identity))?.attributes).toMatchObject({ 'autostart.role': 'student', [OBSERVED]: 'disclosed' });
  await waitFor(() => (studentRoom.localParticipant?.attributes[OBSERVED] === 'disclosed' ? true : null), { timeoutMs: 10_000, intervalMs: 50 });
});

test.each([true, false])('when observersDisclosed is %s, then an observer added during the session is told to nobody or everybody accordingly, and the observer\'s token, joins and leaves are recorded', async (observersDisclosed) => {
  const [student, counselor, observer] = [person('student'), person('counselor'), person('observer')];
  const session = await createSession({ studentIdentity: student.identity, counselorIdentity: counselor.identity, observersDisclosed });
  await startWithPairConnected(session, student, counselor);
  expect((await clinic(target.url, 'PUT', peoplePath(session.id, observer.identity), { role: 'observer' })).status).toBe(200);
  const studentTold = async () => (await listed(session.roomName, student.identity))?.attributes[OBSERVED];
  if (observersDisclosed) await waitFor(async () => ((await studentTold()) === 'disclosed' ? true : null), { timeoutMs: 10_000, intervalMs: 50 });
  // The change's answer comes after its updates: a session that does not disclose has told nobody by then.
  else expect(await studentTold()).toBeUndefined();

  await mint(session.id, observer.identity);
  const t0 = Date.now() - 500;
  await deliver(target, { event: 'participant_joined', room: session.roomName, participant: observer, joinedAtMs: t0 });
  await deliver(target, { event: 'participant_left', room: session.roomName, participant: observer, createdAt: Math.floor((t0 + 1000) / 1000) });
  const attendance = (await sessionStatus(target, session.id)).participants.find((entry: { identity: string }) => entry.identity === observer.identity);
  expect(attendance).toMatchObject({ role: 'observer', connected: false, firstJoinedAt: new Date(t0).toISOString() });
  expect(attendance.intervals).toHaveLength(1);
  expect(attendance.intervals[0].leftAt).not.toBeNull();
  const audit = await clinic(target.url, 'GET', `/v1/sessions/${session.id}/audit`);
  const actions = audit.json.entries.filter((entry: { identity: string | null }) => entry.identity === observer.identity).map((entry: { action: string }) => entry.action);
  expect(actions).toEqual(expect.arrayContaining(['participant.put', 'token.mint']));
});
