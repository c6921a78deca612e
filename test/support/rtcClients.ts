// Real LiveKit clients (@livekit/rtc-node) for the e2e suites: join a session with a token from
// the clinic API and record what the session protocol delivers (data messages from the server,
// snapshots in the room metadata, the disconnect reason). Plus the e2e service's clinic API.
import { dispose, Room, RoomEvent } from '@livekit/rtc-node';
import { parseMessage, parseSnapshot, TOPIC, type ProtocolMessage, type SessionSnapshot } from '../../plugin';

export const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through jest's e2e project`);
  return value;
};

export interface ApiResponse {
  status: number;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export async function api(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiResponse> {
  const response = await fetch(`${env('SERVICE_URL')}${path}`, {
    method,
    headers: { authorization: `Bearer ${env('CLINIC_API_TOKEN')}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: await response.json() };
}

/** A connected client that records what the session protocol delivers to it. */
export interface Client {
  room: Room;
  messages: ProtocolMessage[];
  snapshots: SessionSnapshot[];
  /** The reason LiveKit gave when it disconnected this client, once it did. */
  disconnectReason: number | null;
}

const rooms: Room[] = [];

export async function join(sessionId: string, identity: string): Promise<Client> {
  const minted = await api('POST', `/v1/sessions/${sessionId}/token`, { identity });
  if (minted.status !== 200) throw new Error(`token for ${identity}: ${minted.status} ${JSON.stringify(minted.json)}`);
  const room = new Room();
  const client: Client = { room, messages: [], snapshots: [], disconnectReason: null };
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
  room.on(RoomEvent.Disconnected, (reason) => {
    client.disconnectReason = reason;
  });
  rooms.push(room);
  await room.connect(minted.json.url, minted.json.token, { autoSubscribe: true, dynacast: false });
  return client;
}

/** The snapshot in the room's metadata right now (what a widget decides from on connect). */
export const snapshotOf = (client: Client): SessionSnapshot | null => {
  const parsed = parseSnapshot(client.room.metadata);
  return parsed.ok ? parsed.value : null;
};

export const received = (client: Client, type: ProtocolMessage['type'], sessionId: string): ProtocolMessage | undefined =>
  client.messages.find((message) => message.type === type && message.sessionId === sessionId);

/** Disconnects every client and frees the native side (or jest stays alive). */
export async function disposeClients(): Promise<void> {
  await Promise.allSettled(rooms.map((room) => room.disconnect()));
  await dispose();
}
