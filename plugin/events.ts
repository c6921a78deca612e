// The LiveKit webhook events the session rules listen to, and the one decoder that turns what
// livekit-server-sdk's WebhookReceiver returns into them. Everything else LiveKit sends
// (tracks, egress, ingress) is ignored here, so the rules never see it.
import { sessionIdOfRoom } from './rooms';

export type ParticipantEventKind = 'participant_joined' | 'participant_left' | 'participant_connection_aborted';

/**
 * What a reconciliation pass infers from LiveKit's API rather than hears from a webhook: the sid
 * was listed in its room (`participant_seen`) or was missing from a listing taken after its last
 * observation (`participant_gone`). `at` is when the listing was taken. Unlike a webhook's leave,
 * an inferred absence is undone by any later observation of the sid (see presence.ts).
 */
export type ObservationKind = 'participant_seen' | 'participant_gone';
export type RoomEventKind = 'room_started' | 'room_finished';

export interface EventParticipant {
  sid: string;
  identity: string;
  /** Attributes from the participant's token; trustworthy only for tokens we minted. */
  attributes: Readonly<Record<string, string>>;
}

export type SessionEvent =
  | { kind: ParticipantEventKind | ObservationKind; id: string; /** epoch ms */ at: number; room: string; participant: EventParticipant }
  | { kind: RoomEventKind; id: string; /** epoch ms */ at: number; room: string };

type Int64Like = bigint | number | string;

/**
 * The plain shape of LiveKit's WebhookEvent as livekit-server-sdk's WebhookReceiver returns it
 * (a protobuf message with camelCase fields; int64 fields arrive as bigint, number or numeric
 * string depending on who parsed the JSON).
 */
export interface WebhookEventLike {
  event?: string;
  id?: string;
  /** Unix seconds. */
  createdAt?: Int64Like;
  room?: { name?: string; sid?: string };
  participant?: {
    sid?: string;
    identity?: string;
    attributes?: Record<string, string> | { [k: string]: string };
    /** Unix seconds. */
    joinedAt?: Int64Like;
    /** Unix milliseconds; 0 or absent from servers that predate it. */
    joinedAtMs?: Int64Like;
  };
}

export type DecodeResult =
  /** `sessionId`: the session the event's room was named for (plugin/rooms.ts), null for a room named otherwise. */
  | { ok: true; event: SessionEvent; sessionId: string | null }
  | { ok: false; code: 'ignored_event_type' | 'malformed_event'; reason: string };

const PARTICIPANT_KINDS: readonly string[] = ['participant_joined', 'participant_left', 'participant_connection_aborted'];
const ROOM_KINDS: readonly string[] = ['room_started', 'room_finished'];

const malformed = (reason: string): DecodeResult => ({ ok: false, code: 'malformed_event', reason });

/** Reads a protobuf int64 as a safe non-negative integer; anything else is `undefined`. */
function readInt64(value: unknown): number | undefined {
  let parsed: number;
  if (typeof value === 'bigint') {
    if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
    parsed = Number(value);
  } else if (typeof value === 'number') {
    parsed = value;
  } else if (typeof value === 'string' && /^\d{1,16}$/.test(value)) {
    parsed = Number(value);
  } else {
    return undefined;
  }
  return Number.isSafeInteger(parsed) && parsed >= 0 ? parsed : undefined;
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/** Copies the string-valued attributes only, so nothing mutable or non-string leaks inward. */
function readAttributes(raw: unknown): Readonly<Record<string, string>> {
  const attributes: Record<string, string> = {};
  if (typeof raw === 'object' && raw !== null) {
    for (const [key, value] of Object.entries(raw)) {
      // '__proto__' would hit Object.prototype's setter instead of becoming a key.
      if (typeof value === 'string' && key !== '__proto__') attributes[key] = value;
    }
  }
  return Object.freeze(attributes);
}

/** How far into its second a leave or abort stamped to the second is taken to be, in ms. */
const LEAVE_STAMP_SLACK_MS = 999;

/**
 * Decodes one verified webhook event. `at` is LiveKit's time for the event in epoch ms: the
 * participant's `joinedAtMs` for a join when the server sends it (millisecond precision),
 * otherwise the event's `createdAt` (second precision); for a leave or abort, the last ms of
 * its `createdAt` second.
 */
export function decodeWebhookEvent(raw: WebhookEventLike): DecodeResult {
  if (typeof raw !== 'object' || raw === null) return malformed('not an object');
  const kind = raw.event;
  if (!nonEmpty(kind)) return malformed('missing event type');
  const isParticipantEvent = PARTICIPANT_KINDS.includes(kind);
  if (!isParticipantEvent && !ROOM_KINDS.includes(kind)) {
    return { ok: false, code: 'ignored_event_type', reason: `event type ${kind} is not a session event` };
  }
  if (!nonEmpty(raw.id)) return malformed('missing event id');
  const room = raw.room?.name;
  if (!nonEmpty(room)) return malformed('missing room name');

  const createdAt = readInt64(raw.createdAt);
  const createdAtMs = createdAt !== undefined && createdAt > 0 ? createdAt * 1000 : undefined;
  if (createdAtMs !== undefined && !Number.isSafeInteger(createdAtMs)) return malformed('createdAt out of range');

  if (!isParticipantEvent) {
    if (createdAtMs === undefined) return malformed('missing or invalid createdAt');
    return { ok: true, event: { kind: kind as RoomEventKind, id: raw.id, at: createdAtMs, room }, sessionId: sessionIdOfRoom(room) };
  }

  const participant = raw.participant;
  if (!participant || !nonEmpty(participant.sid) || !nonEmpty(participant.identity)) {
    return malformed('missing participant sid or identity');
  }
  // A leave is stamped to the second: the person was there until some moment of that second.
  // Taking its end keeps a leave from sorting before a join (stamped to the ms) of the same
  // second that it really followed, which would erase a real overlap from the log.
  let at = createdAtMs === undefined ? undefined : createdAtMs + LEAVE_STAMP_SLACK_MS;
  if (kind === 'participant_joined') {
    at = createdAtMs;
    if (participant.joinedAtMs !== undefined && readInt64(participant.joinedAtMs) === undefined) {
      return malformed('invalid participant joinedAtMs');
    }
    const joinedAtMs = readInt64(participant.joinedAtMs);
    if (joinedAtMs !== undefined && joinedAtMs > 0) at = joinedAtMs;
  }
  if (at === undefined) return malformed('missing or invalid createdAt');
  return {
    ok: true,
    event: {
      kind: kind as ParticipantEventKind,
      id: raw.id,
      at,
      room,
      participant: Object.freeze({
        sid: participant.sid,
        identity: participant.identity,
        attributes: readAttributes(participant.attributes),
      }),
    },
    sessionId: sessionIdOfRoom(room),
  };
}

