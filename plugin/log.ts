// The session's event log: de-duplicated by event id and kept in one canonical order, so the
// same events give the same log however LiveKit delivered them.

import type { SessionEvent } from './events';

// Within one instant a join sorts before a leave, so a sid's interval never runs backwards,
// and the room's own events bracket the participants'.
const KIND_ORDER: Record<SessionEvent['kind'], number> = {
  room_started: 0,
  participant_joined: 1,
  participant_left: 2,
  participant_connection_aborted: 3,
  room_finished: 4,
};

/** Canonical order: LiveKit's time, then kind, then event id. */
export function compareEvents(a: SessionEvent, b: SessionEvent): number {
  if (a.at !== b.at) return a.at - b.at;
  const byKind = (KIND_ORDER[a.kind] ?? 0) - (KIND_ORDER[b.kind] ?? 0);
  if (byKind !== 0) return byKind;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The log with `event` inserted in canonical order, or the same log when its id is already there. */
export function withEvent(log: readonly SessionEvent[], event: SessionEvent): readonly SessionEvent[] {
  if (log.some((logged) => logged.id === event.id)) return log;
  let index = log.length;
  while (index > 0 && compareEvents(log[index - 1] as SessionEvent, event) > 0) index -= 1;
  return [...log.slice(0, index), event, ...log.slice(index)];
}
