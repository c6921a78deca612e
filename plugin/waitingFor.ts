// Who the start still waits for, by role: the people of the appointment whose seats the start
// rule asks for and nobody fills now. Names nobody but the identities the appointment itself
// lists (never a label, never a display name), so it can go to the clinic as it is.

import type { ParticipantRole } from './participants';
import type { Roster } from './roster';
import type { SessionState } from './session';

export interface MissingPerson {
  identity: string;
  role: ParticipantRole;
}

/** Connected seats of `role` now (its shared seat or seats of its own). */
function filledSeatsOf(state: Pick<SessionState, 'occupied'>, role: ParticipantRole): number {
  let count = 0;
  for (const [seat, sids] of Object.entries(state.occupied)) if (sids > 0 && (seat === role || seat.startsWith(`${role}:`))) count += 1;
  return count;
}

/**
 * Everyone the start still waits for, in the appointment's order: for a seat it asks for,
 * whoever holds that seat while nobody fills it; for a group's count of a role (a counselor,
 * `quorum` students) not reached yet, everyone of that role not connected. Empty once the rule
 * holds, and for a group that starts at its scheduled time once a counselor is there.
 */
export function stillMissing(state: Pick<SessionState, 'roster' | 'occupied'>): MissingPerson[] {
  const { roster } = state;
  const unfilled = (seat: string | null) => seat !== null && (state.occupied[seat] ?? 0) === 0;
  const short = new Set<ParticipantRole>();
  const seats = new Set<string>();
  for (const requirement of roster.requirements) {
    if (requirement.kind === 'seat') seats.add(requirement.seat);
    else if (filledSeatsOf(state, requirement.role) < requirement.atLeast) short.add(requirement.role);
  }
  return roster.people
    .filter((person) => unfilled(person.seat) && (seats.has(person.seat as string) || short.has(person.role)))
    .map(({ identity, role }) => ({ identity, role }));
}

/**
 * Participant attribute of every join token: the roles the start waits for, one entry per
 * person it needs (`student,counselor,guardian`; a group with quorum 3: `counselor,student,student,student`).
 * A page subtracts the roles it sees connected to say whom it still waits for.
 */
export const AWAITS_ATTRIBUTE = 'autostart.awaits';

/** The roles the start waits for, one entry per person needed, in the roster's order (see AWAITS_ATTRIBUTE). */
export function awaitedRoles(roster: Roster): ParticipantRole[] {
  const roles: ParticipantRole[] = [];
  for (const requirement of roster.requirements) {
    if (requirement.kind === 'role') {
      for (let count = 0; count < requirement.atLeast; count += 1) roles.push(requirement.role);
      continue;
    }
    const holder = roster.people.find((person) => person.seat === requirement.seat);
    if (holder) roles.push(holder.role);
  }
  return roles;
}

/** The roles of `missing`, once each, in its order. */
export const rolesOf = (missing: readonly MissingPerson[]): ParticipantRole[] => [...new Set(missing.map((person) => person.role))];
