// Presences derived from the event log: one per LiveKit participant sid, never per identity,
// because a reload or a second device is a new sid and the old sid's `left` may arrive after
// the new sid's `joined`. Derived from the whole log, so delivery order does not matter.

import type { SessionEvent } from './events';
import { roleOf, type Appointment, type Role, type RolePolicy } from './roles';

/** A span of connection in epoch ms; `leftAt` null while still connected. */
export interface PresenceInterval {
  joinedAt: number;
  leftAt: number | null;
}

export interface Presence {
  sid: string;
  identity: string;
  role: Role;
  /** null when only this sid's `left`/`aborted` has arrived so far (a tombstone). */
  joinedAt: number | null;
  /** Never before `joinedAt`: LiveKit stamps leaves to the second only, joins to the ms. */
  leftAt: number | null;
  /** `aborted`: this sid never connected, whatever else arrives for it. */
  outcome: 'connected' | 'left' | 'aborted';
}

interface SidEvents {
  identity: string;
  role: Role;
  joinedAt: number | null;
  closedAt: number | null;
  aborted: boolean;
}

const earliest = (current: number | null, candidate: number): number =>
  current === null ? candidate : Math.min(current, candidate);

/**
 * Every sid's presence from `log`. `endedAt` (the room's end) closes whatever is still open,
 * since LiveKit may never send those `left` events once the room is gone.
 */
export function derivePresences(
  log: readonly SessionEvent[],
  appointment: Appointment,
  policy: RolePolicy,
  endedAt: number | null,
): Record<string, Presence> {
  const bySid = new Map<string, SidEvents>();
  for (const event of log) {
    if (!('participant' in event)) continue;
    const { sid } = event.participant;
    const seen = bySid.get(sid) ?? {
      identity: event.participant.identity,
      role: roleOf(appointment, event.participant, policy),
      joinedAt: null,
      closedAt: null,
      aborted: false,
    };
    if (event.kind === 'participant_joined') seen.joinedAt = earliest(seen.joinedAt, event.at);
    else seen.closedAt = earliest(seen.closedAt, event.at);
    if (event.kind === 'participant_connection_aborted') seen.aborted = true;
    bySid.set(sid, seen);
  }

  const presences: Record<string, Presence> = {};
  for (const [sid, seen] of bySid) {
    const closedAt = seen.closedAt ?? endedAt;
    presences[sid] = {
      sid,
      identity: seen.identity,
      role: seen.role,
      joinedAt: seen.joinedAt,
      leftAt: closedAt === null ? null : Math.max(closedAt, seen.joinedAt ?? closedAt),
      outcome: seen.aborted ? 'aborted' : closedAt === null ? 'connected' : 'left',
    };
  }
  return presences;
}

/** The span a presence was really connected, or null (aborted, or its join not yet known). */
export function intervalOf(presence: Presence): PresenceInterval | null {
  if (presence.outcome === 'aborted' || presence.joinedAt === null) return null;
  return { joinedAt: presence.joinedAt, leftAt: presence.leftAt };
}

/**
 * The first moment a student and a counselor were connected together, or null. Intervals are
 * closed ([joinedAt, leftAt]): a leave is stamped at the start of its second, so the person was
 * still there at `leftAt`, and a counselor joining in that very instant did meet the student.
 */
export function pairCompleteAt(presences: Readonly<Record<string, Presence>>): number | null {
  const spans = (role: Role): PresenceInterval[] =>
    Object.values(presences)
      .filter((presence) => presence.role === role)
      .map(intervalOf)
      .filter((span): span is PresenceInterval => span !== null);
  let first: number | null = null;
  for (const student of spans('student')) {
    for (const counselor of spans('counselor')) {
      const from = Math.max(student.joinedAt, counselor.joinedAt);
      const until = Math.min(student.leftAt ?? Infinity, counselor.leftAt ?? Infinity);
      if (from <= until) first = earliest(first, from);
    }
  }
  return first;
}
