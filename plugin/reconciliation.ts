// What a reconciliation pass may conclude from one listing of a session's room, as a pure rule.
//
// A listing is a snapshot: anyone who connected after LiveKit answered is missing from it. A pass
// that read its listing first and the session's state afterwards would see the people who just
// connected as "gone", and a pass over thousands of sessions takes long enough for that to be
// the common case, not a corner. So:
// 1. A listing may correct only a state read before the listing was requested
//    (`listing.requestedAt >= stateReadAt`): every join that state holds happened before the
//    listing, and a sid it misses has really left. Otherwise the pass decides nothing.
// 2. Even then, a sid is taken as gone only when the listing was asked for after the latest
//    observation of it (`seenAt < listing.requestedAt`): a join stamped after that (clocks that
//    disagree, a state read from a newer fold) is never closed by it.
// 3. What a pass records is an inference, not a fact: `participant_gone` at the listing's time,
//    which any later observation undoes (presence.ts), and `participant_seen` for a sid listed
//    again after an inference missed it. A sid unknown to the state is a join LiveKit's webhook
//    never delivered: it is recorded with LiveKit's own `joinedAt`.
// Webhooks' facts are never overridden: a sid whose `left` or `aborted` arrived stays closed
// whatever a listing says (the listing can lag the leave by a moment; a sid never comes back).

import type { Presence } from './presence';

/** One participant as LiveKit's API lists it (connected, not merely joining). */
export interface ListedParticipant {
  sid: string;
  identity: string;
  attributes: Readonly<Record<string, string>>;
  /** LiveKit's join time, epoch ms. */
  joinedAt: number;
}

export interface RoomListing {
  /** When the pass asked for the listing (the service's clock, epoch ms). */
  requestedAt: number;
  /** When the answer came back; the moment the listing describes at the latest (epoch ms). */
  takenAt: number;
  /** Everyone connected then; `room_not_found` lists nobody. */
  participants: readonly ListedParticipant[];
}

export type Observation =
  | { kind: 'participant_joined'; participant: ListedParticipant; at: number }
  | { kind: 'participant_seen'; participant: ListedParticipant; at: number }
  | { kind: 'participant_gone'; presence: Presence; at: number };

/**
 * What the pass records for one room, given the session's presences as read at `stateReadAt`.
 * Deterministic and free of I/O; an empty list means the state agrees with the listing.
 */
export function observationsOf(presences: Readonly<Record<string, Presence>>, stateReadAt: number, listing: RoomListing): Observation[] {
  if (listing.requestedAt < stateReadAt) return [];
  const observations: Observation[] = [];
  const listed = new Set<string>();
  for (const participant of listing.participants) {
    listed.add(participant.sid);
    const presence = presences[participant.sid];
    if (!presence) {
      observations.push({ kind: 'participant_joined', participant, at: participant.joinedAt });
    } else if (presence.outcome === 'left' && presence.closedAt === null) {
      // Closed only by an inference that this listing proves wrong.
      observations.push({ kind: 'participant_seen', participant, at: listing.takenAt });
    }
  }
  for (const presence of Object.values(presences)) {
    if (presence.outcome !== 'connected' || listed.has(presence.sid)) continue;
    if (presence.seenAt !== null && presence.seenAt >= listing.requestedAt) continue;
    observations.push({ kind: 'participant_gone', presence, at: listing.takenAt });
  }
  return observations;
}
