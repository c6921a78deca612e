// The message protocol shared by the service and the widget: the data-message topic, the
// versioned payloads, and the one validator both sides use. No dependencies, so the widget
// bundle stays small.

/** Data-message topic for every payload of this protocol. */
export const TOPIC = 'autostart.session';

/**
 * Participant attribute that every join token carries: the id of the session the token was
 * minted for. The widget learns its session from it on connect and acts on nothing else (a
 * message or snapshot of another session is ignored and counted). Clients cannot change it (no
 * `canUpdateOwnMetadata` in our tokens).
 */
export const SESSION_ATTRIBUTE = 'autostart.session';

/** Payload version; a receiver rejects any other. */
export const PROTOCOL_VERSION = 1;

/**
 * `waiting` until the pair is first connected together, then `active`; `ended`, `cancelled` and
 * `no_show` are final.
 */
export type SessionStatus = 'waiting' | 'active' | 'ended' | 'cancelled' | 'no_show';

/**
 * Why a session closed: `ended` by the clinic, `timeout` when neither party came back within
 * the rejoin grace, `cancelled` by the clinic before the start, `no_show` when the pair was never
 * complete within the no-show window.
 */
export type EndReason = 'ended' | 'timeout' | 'cancelled' | 'no_show';

/** The final statuses. */
export const CLOSED_STATUSES: readonly SessionStatus[] = ['ended', 'cancelled', 'no_show'];

/** Sent by the service (never by a participant) when the session turns active. */
export interface SessionStartedMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'session_started';
  /** One per session (messageIdFor); a retried send carries the same id, so receivers drop repeats. */
  messageId: string;
  sessionId: string;
  /** ISO 8601: when student and counselor were first connected together. */
  startedAt: string;
}

/** Sent by the service when the session closes (ended, timed out, cancelled or a no-show). */
export interface SessionEndedMessage {
  v: typeof PROTOCOL_VERSION;
  type: 'session_ended';
  messageId: string;
  sessionId: string;
  /** ISO 8601: when the session closed (for `timeout`, the moment the last party left). */
  endedAt: string;
  reason: EndReason;
}

export type ProtocolMessage = SessionStartedMessage | SessionEndedMessage;

/**
 * The id of the message that announces a session's start, or its end: a session starts once and
 * closes once, so the id is the session's own. Every run of a retried job and every racing worker
 * announces under the same id, and receivers drop the repeats.
 */
export const messageIdFor = (type: ProtocolMessage['type'], sessionId: string): string => `${type}:${sessionId}`;

/**
 * The durable state kept in the room's metadata (only the server can write it). Every
 * participant receives it on connect and on change, so late joiners and reloads see it too.
 */
export interface SessionSnapshot {
  v: typeof PROTOCOL_VERSION;
  type: 'session_snapshot';
  sessionId: string;
  status: SessionStatus;
  startedAt: string | null;
  endedAt: string | null;
  /** Why the session closed; null while it is open. */
  reason: EndReason | null;
  /** The id of the message that announced the current status, so a data message and the snapshot can be matched. */
  messageId: string | null;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Upper bound on an encoded payload; anything larger is not ours. */
export const MAX_PAYLOAD_BYTES = 4096;

const STATUSES: readonly SessionStatus[] = ['waiting', 'active', 'ended', 'cancelled', 'no_show'];
const REASONS: readonly EndReason[] = ['ended', 'timeout', 'cancelled', 'no_show'];
const ID_PATTERN = /^[A-Za-z0-9_.:-]{1,128}$/;

type Shape = Record<string, (value: unknown) => boolean>;

const isId = (value: unknown): boolean => typeof value === 'string' && ID_PATTERN.test(value);
const isInstant = (value: unknown): boolean =>
  typeof value === 'string' && value.length <= 40 && /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
const isInstantOrNull = (value: unknown): boolean => value === null || isInstant(value);
const isIdOrNull = (value: unknown): boolean => value === null || isId(value);

const SHAPES: Record<string, Shape> = {
  session_started: { messageId: isId, sessionId: isId, startedAt: isInstant },
  session_ended: { messageId: isId, sessionId: isId, endedAt: isInstant, reason: (value) => REASONS.includes(value as EndReason) },
  session_snapshot: {
    sessionId: isId,
    status: (value) => STATUSES.includes(value as SessionStatus),
    startedAt: isInstantOrNull,
    endedAt: isInstantOrNull,
    reason: (value) => value === null || REASONS.includes(value as EndReason),
    messageId: isIdOrNull,
  },
};

function validate(raw: unknown, allowed: readonly string[]): ParseResult<Record<string, unknown>> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'not an object' };
  const record = raw as Record<string, unknown>;
  if (record.v !== PROTOCOL_VERSION) return { ok: false, reason: `unsupported version ${String(record.v)}` };
  const type = record.type;
  if (typeof type !== 'string' || !allowed.includes(type)) return { ok: false, reason: `unexpected type ${String(type)}` };
  const shape = SHAPES[type] as Shape;
  const expected = new Set(['v', 'type', ...Object.keys(shape)]);
  for (const key of Object.keys(record)) {
    if (!expected.has(key)) return { ok: false, reason: `unexpected field ${key}` };
  }
  for (const [key, check] of Object.entries(shape)) {
    if (!check(record[key])) return { ok: false, reason: `invalid ${key}` };
  }
  return { ok: true, value: record };
}

function decodeText(input: Uint8Array | string): ParseResult<unknown> {
  // A string is measured in UTF-8 bytes, as it travels: its length in UTF-16 units can be less.
  const size = typeof input === 'string' ? new TextEncoder().encode(input).byteLength : input.byteLength;
  if (size > MAX_PAYLOAD_BYTES) return { ok: false, reason: 'payload too large' };
  try {
    const text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: 'not UTF-8 JSON' };
  }
}

/** Validates a data message received on {@link TOPIC}. */
export function parseMessage(input: Uint8Array | string): ParseResult<ProtocolMessage> {
  const decoded = decodeText(input);
  if (!decoded.ok) return decoded;
  return validate(decoded.value, ['session_started', 'session_ended']) as ParseResult<ProtocolMessage>;
}

/** Validates room metadata; an empty string means the service has written nothing yet. */
export function parseSnapshot(metadata: string | undefined | null): ParseResult<SessionSnapshot> {
  if (!metadata) return { ok: false, reason: 'no snapshot' };
  const decoded = decodeText(metadata);
  if (!decoded.ok) return decoded;
  return validate(decoded.value, ['session_snapshot']) as ParseResult<SessionSnapshot>;
}

/** Encodes a message for `sendData`, after checking it with the same validator receivers use. */
export function encodeMessage(message: ProtocolMessage): Uint8Array {
  const text = JSON.stringify(message);
  const checked = parseMessage(text);
  if (!checked.ok) throw new Error(`refusing to encode an invalid message: ${checked.reason}`);
  return new TextEncoder().encode(text);
}

/** Encodes a snapshot for `updateRoomMetadata`, checked like {@link encodeMessage}. */
export function encodeSnapshot(snapshot: SessionSnapshot): string {
  const text = JSON.stringify(snapshot);
  const checked = parseSnapshot(text);
  if (!checked.ok) throw new Error(`refusing to encode an invalid snapshot: ${checked.reason}`);
  return text;
}
