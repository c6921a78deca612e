// The real path end to end: the service runs as its own process (e2eGlobalSetup), LiveKit posts
// its OWN webhooks to it, and two real clients (@livekit/rtc-node) join with tokens from the
// clinic API. They must both hear session_started and see the snapshot; a client that leaves and
// comes back sees the active snapshot at once; closing the room ends the session.
import { dispose, Room, RoomEvent } from '@livekit/rtc-node';
import { RoomServiceClient } from 'livekit-server-sdk';
import { parseMessage, parseSnapshot, TOPIC, type ProtocolMessage, type SessionSnapshot } from '../../plugin';
import { uniqueName, waitFor } from '../support/isolation';

jest.setTimeout(120_000);

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through jest's e2e project`);
  return value;
};

interface ApiResponse {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResponse> {
  const response = await fetch(`${env('SERVICE_URL')}${path}`, {
    method,
    headers: { authorization: `Bearer ${env('CLINIC_API_TOKEN')}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

/** A connected client that records what the session protocol delivers to it. */
interface Client {
  room: Room;
  messages: ProtocolMessage[];
  snapshots: SessionSnapshot[];
}

const clients: Room[] = [];

async function join(sessionId: string, identity: string): Promise<Client> {
  const minted = await api('POST', `/v1/sessions/${sessionId}/token`, { identity });
  expect(minted.status).toBe(200);
  const room = new Room();
  const client: Client = { room, messages: [], snapshots: [] };
  room.on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
    // The server API is the only sender without a participant; the snapshot stays the authority.
    if (topic !== TOPIC || participant !== undefined) return;
    const parsed = parseMessage(payload);
    if (parsed.ok) client.messages.push(parsed.value);
  });
  room.on(RoomEvent.RoomMetadataChanged, (metadata) => {
    const parsed = parseSnapshot(metadata);
    if (parsed.ok) client.snapshots.push(parsed.value);
  });
  clients.push(room);
  await room.connect(minted.json.url, minted.json.token, { autoSubscribe: true, dynacast: false });
  return client;
}

const snapshotOf = (client: Client): SessionSnapshot | null => {
  const parsed = parseSnapshot(client.room.metadata);
  return parsed.ok ? parsed.value : null;
};

afterAll(async () => {
  await Promise.allSettled(clients.map((room) => room.disconnect()));
  await dispose();
});

test('when a student and a counselor join the room, then the session starts for both, survives a rejoin and ends with the room', async () => {
  const roomName = uniqueName('e2e-room');
  const studentIdentity = uniqueName('student');
  const counselorIdentity = uniqueName('counselor');
  const created = await api('POST', '/v1/sessions', { roomName, studentIdentity, counselorIdentity });
  expect(created.status).toBe(201);
  const sessionId: string = created.json.id;

  const student = await join(sessionId, studentIdentity);
  // LiveKit's participant_joined for the student reached the service; still waiting alone.
  await waitFor(async () => (await api('GET', `/v1/sessions/${sessionId}`)).json.participants[0].connected, { timeoutMs: 20_000 });
  expect((await api('GET', `/v1/sessions/${sessionId}`)).json.status).toBe('waiting');

  const counselor = await join(sessionId, counselorIdentity);
  const started = (client: Client) => client.messages.find((message) => message.type === 'session_started' && message.sessionId === sessionId);
  await waitFor(() => started(student) && started(counselor), { timeoutMs: 20_000 });
  const message = started(student);
  expect(started(counselor)).toEqual(message);

  for (const client of [student, counselor]) {
    await waitFor(() => snapshotOf(client)?.status === 'active', { timeoutMs: 10_000 });
    expect(snapshotOf(client)).toMatchObject({ sessionId, status: 'active', messageId: message?.messageId });
  }

  const active = await api('GET', `/v1/sessions/${sessionId}`);
  expect(active.json).toMatchObject({ status: 'active', actualStart: (message as { startedAt: string }).startedAt, actualEnd: null });

  // A reload: the student leaves and comes back; the room metadata tells them at once on connect.
  await student.room.disconnect();
  const rejoined = await join(sessionId, studentIdentity);
  expect(snapshotOf(rejoined)).toMatchObject({ sessionId, status: 'active', messageId: message?.messageId });
  // And the service tells the returning student directly, with the same message id.
  await waitFor(() => started(rejoined), { timeoutMs: 20_000 });
  expect(started(rejoined)?.messageId).toBe(message?.messageId);

  // Closing the room ends the session.
  const rooms = new RoomServiceClient(env('LIVEKIT_URL'), env('LIVEKIT_API_KEY'), env('LIVEKIT_API_SECRET'));
  await rooms.deleteRoom(roomName);
  const ended = await waitFor(
    async () => {
      const current = await api('GET', `/v1/sessions/${sessionId}`);
      return current.json.status === 'ended' ? current.json : null;
    },
    { timeoutMs: 30_000 },
  );
  expect(ended.actualEnd).not.toBeNull();
  expect(ended.actualStart).toBe(active.json.actualStart);
  expect(ended.participants.map((entry: { connected: boolean }) => entry.connected)).toEqual([false, false]);
});
