// Presences: one per LiveKit participant sid, never per identity, because a reload or a second
// device is a new sid and the old sid's `left` may arrive after the new sid's `joined`.
// Each presence is a merge of its sid's events that gives the same result in any order and for
// any number of copies, so the session's fold can take events one at a time in whatever order
// LiveKit's deliveries, its retries and reconciliation passes produce:
// - facts from LiveKit's webhooks (and a room's end) are final: the earliest join, the earliest
//   close, and an abort that wins over everything;
// - inferences of a reconciliation pass are not: a sid missing from a listing is taken as gone
//   at the listing's time only while nothing later shows it present. A sid cannot come back once
//   it really left, so a later observation of it (a join stamped later, a later listing that
//   has it) proves the absence wrong, and the interval is open again.

import type { EventParticipant, ObservationKind, ParticipantEventKind } from './events';
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
  /** When it stopped being connected: its final close, else the first inferred absence that stands. */
  leftAt: number | null;
  /** `aborted`: this sid never connected, whatever else arrives for it. */
  outcome: 'connected' | 'left' | 'aborted';
  /** The final close: its own `left`/`aborted`, or the end of the room it was in. */
  closedAt: number | null;
  /** The latest moment it was known present: its join, or a listing that had it. */
  seenAt: number | null;
  /** Listings that missed it after `seenAt`, ascending: the first one is its inferred leave. */
  absences: readonly number[];
}

const earliest = (current: number | null, candidate: number | null): number | null =>
  current === null ? candidate : candidate === null ? current : Math.min(current, candidate);

const latest = (current: number | null, candidate: number | null): number | null =>
  current === null ? candidate : candidate === null ? current : Math.max(current, candidate);

/** Recomputes the derived fields (absences still standing, leftAt, outcome) from the facts. */
function settle(
  base: Pick<Presence, 'sid' | 'identity' | 'role' | 'joinedAt' | 'closedAt' | 'seenAt'>,
  absences: readonly number[],
  aborted: boolean,
): Presence {
  const standing = base.seenAt === null ? absences : absences.filter((at) => at > (base.seenAt as number));
  const inferredLeave = standing.length > 0 ? (standing[0] as number) : null;
  const leftAt = earliest(base.closedAt, inferredLeave);
  const outcome = aborted ? 'aborted' : leftAt === null && base.joinedAt !== null ? 'connected' : 'left';
  return { ...base, absences: standing, leftAt, outcome };
}

function withAbsence(absences: readonly number[], at: number): number[] {
  if (absences.includes(at)) return [...absences];
  return [...absences, at].sort((a, b) => a - b);
}

/**
 * The sid's presence after one more of its events. `roomClosedAt` is when the room this sid
 * joined was finished, if it was (LiveKit may never send the `left` once the room is gone).
 */
export function mergePresence(
  before: Presence | undefined,
  kind: ParticipantEventKind | ObservationKind,
  at: number,
  participant: EventParticipant,
  role: Role,
  roomClosedAt: (joinedAt: number) => number | null,
): Presence {
  let joinedAt = before?.joinedAt ?? null;
  let closedAt = before?.closedAt ?? null;
  let seenAt = before?.seenAt ?? null;
  let absences = before?.absences ?? [];
  let aborted = before?.outcome === 'aborted';
  switch (kind) {
    case 'participant_joined':
      joinedAt = earliest(joinedAt, at);
      seenAt = latest(seenAt, at);
      break;
    case 'participant_seen':
      // Listed in its room: present then, and so joined by then at the latest.
      joinedAt = earliest(joinedAt, at);
      seenAt = latest(seenAt, at);
      break;
    case 'participant_gone':
      absences = withAbsence(absences, at);
      break;
    case 'participant_connection_aborted':
      aborted = true;
      closedAt = earliest(closedAt, at);
      break;
    case 'participant_left':
      closedAt = earliest(closedAt, at);
      break;
  }
  if (closedAt === null && joinedAt !== null) closedAt = roomClosedAt(joinedAt);
  const base = { sid: participant.sid, identity: before?.identity ?? participant.identity, role: before?.role ?? role, joinedAt, closedAt, seenAt };
  return settle(base, absences, aborted);
}

/** The presence closed for good by its room's end at `at`, when it was in that room then. */
export function closedByRoomEnd(presence: Presence, at: number): Presence {
  if (presence.outcome === 'aborted' || presence.closedAt !== null || presence.joinedAt === null || presence.joinedAt > at) return presence;
  return settle({ ...presence, closedAt: at }, presence.absences, false);
}

/**
 * The span a presence was really connected, or null (aborted, or its join not yet known).
 * `leftAt` is clamped to `joinedAt`: LiveKit stamps leaves to the second, joins to the ms.
 */
export function intervalOf(presence: Presence): PresenceInterval | null {
  if (presence.outcome === 'aborted' || presence.joinedAt === null) return null;
  return { joinedAt: presence.joinedAt, leftAt: presence.leftAt === null ? null : Math.max(presence.leftAt, presence.joinedAt) };
}
