// Presences: one per LiveKit participant sid, never per identity, because a reload or a second
// device is a new sid and the old sid's `left` may arrive after the new sid's `joined`.
// Each presence is a merge of its sid's events that gives the same result in any order and for
// any number of copies (earliest join, earliest close, aborted wins), so the session's fold can
// take events one at a time in whatever order LiveKit's deliveries and retries produce.

import type { EventParticipant, ParticipantEventKind } from './events';
import type { Role } from './roles';

/** A span of connection in epoch ms; `leftAt` null while still connected. */
export interface PresenceInterval {
  joinedAt: number;
  leftAt: number | null;
}

export interface Presence {
  sid: string;
  identity: string;
  role: Role;
  /** null while only this sid's `left`/`aborted` has arrived (a tombstone). */
  joinedAt: number | null;
  /** The earliest close seen: its `left`/`aborted`, or the end of the room it was in. */
  leftAt: number | null;
  /** `aborted`: this sid never connected, whatever else arrives for it. */
  outcome: 'connected' | 'left' | 'aborted';
}

const earliest = (current: number | null, candidate: number | null): number | null =>
  current === null ? candidate : candidate === null ? current : Math.min(current, candidate);

function outcomeOf(joinedAt: number | null, leftAt: number | null, aborted: boolean): Presence['outcome'] {
  if (aborted) return 'aborted';
  return leftAt === null && joinedAt !== null ? 'connected' : 'left';
}

/**
 * The sid's presence after one more of its events. `roomClosedAt` is when the room this sid
 * joined was finished, if it was (LiveKit may never send the `left` once the room is gone).
 */
export function mergePresence(
  before: Presence | undefined,
  kind: ParticipantEventKind,
  at: number,
  participant: EventParticipant,
  role: Role,
  roomClosedAt: (joinedAt: number) => number | null,
): Presence {
  let joinedAt = before?.joinedAt ?? null;
  let leftAt = before?.leftAt ?? null;
  let aborted = before?.outcome === 'aborted';
  if (kind === 'participant_joined') joinedAt = earliest(joinedAt, at);
  else leftAt = earliest(leftAt, at);
  if (kind === 'participant_connection_aborted') aborted = true;
  if (leftAt === null && joinedAt !== null) leftAt = roomClosedAt(joinedAt);
  return {
    sid: participant.sid,
    identity: before?.identity ?? participant.identity,
    role: before?.role ?? role,
    joinedAt,
    leftAt,
    outcome: outcomeOf(joinedAt, leftAt, aborted),
  };
}

/** The presence closed by its room's end at `at`, when it was open at that moment. */
export function closedByRoomEnd(presence: Presence, at: number): Presence {
  if (presence.outcome !== 'connected' || presence.joinedAt === null || presence.joinedAt > at) return presence;
  return { ...presence, leftAt: at, outcome: 'left' };
}

/**
 * The span a presence was really connected, or null (aborted, or its join not yet known).
 * `leftAt` is clamped to `joinedAt`: LiveKit stamps leaves to the second, joins to the ms.
 */
export function intervalOf(presence: Presence): PresenceInterval | null {
  if (presence.outcome === 'aborted' || presence.joinedAt === null) return null;
  return { joinedAt: presence.joinedAt, leftAt: presence.leftAt === null ? null : Math.max(presence.leftAt, presence.joinedAt) };
}

/**
 * The first moment both spans were connected, or null. Intervals are closed ([joinedAt, leftAt]):
 * a leave is taken at the end of its stamped second, so someone joining in that very instant
 * did meet the one leaving.
 */
export function overlapStart(a: PresenceInterval, b: PresenceInterval): number | null {
  const from = Math.max(a.joinedAt, b.joinedAt);
  const until = Math.min(a.leftAt ?? Infinity, b.leftAt ?? Infinity);
  return from <= until ? from : null;
}
