// Identifiers the service makes up: url-safe, unguessable, without ':' (BullMQ job ids are built
// from them) and matching the protocol's id pattern.
import { randomBytes } from 'node:crypto';

const random = (): string => randomBytes(16).toString('base64url');

/** Every session id the service hands out matches it (the API description says so too). */
export const SESSION_ID_PATTERN = /^ses_[A-Za-z0-9_-]{1,64}$/;

/** A clinic webhook delivery's id (`dlv_` and 22 url-safe characters, derived from its endpoint and event). */
export const DELIVERY_ID_PATTERN = /^dlv_[A-Za-z0-9_-]{1,64}$/;


export const newSessionId = (): string => `ses_${random()}`;

/** Prefix of every room the service names: a session's room is this and the session's id. */
export const ROOM_PREFIX = 'autostart-';

/** The session's own LiveKit room: unique because the id is, never reused, never chosen by a caller. */
export const roomNameFor = (sessionId: string): string => `${ROOM_PREFIX}${sessionId}`;

/** The session a room was named for, or null for a room the service did not name. */
export function sessionIdOfRoom(roomName: string): string | null {
  if (!roomName.startsWith(ROOM_PREFIX)) return null;
  const sessionId = roomName.slice(ROOM_PREFIX.length);
  return SESSION_ID_PATTERN.test(sessionId) ? sessionId : null;
}
export const newMessageId = (): string => `msg_${random()}`;
let auditSequence = 0;

/**
 * Audit ids sort by creation: the time in ms, then a per-process sequence, then randomness. The
 * audit is read newest first by (time, id), so entries of one millisecond keep their order.
 */
export const newAuditId = (now: number = Date.now()): string => {
  auditSequence = (auditSequence + 1) % 36 ** 4;
  return `aud_${now.toString(36).padStart(9, '0')}${auditSequence.toString(36).padStart(4, '0')}${random()}`;
};
