// Real LiveKit clients (@livekit/rtc-node) for the e2e suites: join a session with a token from
// the clinic API and record what the session protocol delivers (data messages from the server,
// snapshots in the room metadata, the disconnect reason). Plus the e2e service's clinic API client.
import { dispose, Room, RoomEvent } from '@livekit/rtc-node';
import { parseMessage, parseSnapshot, TOPIC, type ProtocolMessage, type SessionSnapshot } from '../../plugin';
import { createClinicClient, must, type ClinicClient } from '../../webhook-service/client';

export const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through jest's e2e project`);
  return value;
};

/** The e2e service's clinic API, through the one typed client. */
export const clinic = (): ClinicClient => createClinicClient({ baseUrl: env('SERVICE_URL'), token: env('CLINIC_API_TOKEN') });

/** A connected client that records what the session protocol delivers to it. */
export interface Client {
  room: Room;
  messages: ProtocolMessage[];
  snapshots: SessionSnapshot[];
  /** The reason LiveKit gave when it disconnected this client, once it did. */
  disconnectReason: number | null;
}

const rooms: Room[] = [];

export interface JoinOptions {
  /** The clinic API that mints the token. @defaultValue the e2e service's */
  via?: ClinicClient;
  /** Connect to this LiveKit URL instead of the one minted with the token (a given node of a cluster). */
  livekitUrl?: string;
}

export async function join(sessionId: string, identity: string, options: JoinOptions = {}): Promise<Client> {
  const minted = must(await (options.via ?? clinic()).mintJoinToken(sessionId, identity));
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
  await room.connect(options.livekitUrl ?? minted.url, minted.token, { autoSubscribe: true, dynacast: false });
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
