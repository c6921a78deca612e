// The rooms the service names: each session has a LiveKit room of its own, named from the
// session's id, so an event's room says whose session it is without asking anyone. A room named
// otherwise (by a clinic, before sessions had rooms of their own) names no session here.

/** Every session id the service hands out matches it (the API description says so too). */
export const SESSION_ID_PATTERN = /^ses_[A-Za-z0-9_-]{1,64}$/;

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
