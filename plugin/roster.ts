// The appointment's start rule, derived once when the session is made: who holds the session
// (their presence keeps it going, and the rejoin grace waits for them), which seat each of them
// fills, and which seats must be filled at once for the session to start.
//
// A seat is a place one person fills from any number of devices. A role the appointment names
// once is one seat that anyone of that role fills, so a substitute counselor (a token we minted
// with the counselor role, under `trustRoleAttribute`) takes the counselor's seat. A role named
// several times, and every student of a group, gives each identity a seat of its own: nobody
// could tell whose seat a substitute would take, and a group's quorum counts distinct students.
// The two-party appointment is the case of two seats, `student` and `counselor`, both required.

import { isRequired, peopleOf, type Appointment, type ParticipantRole } from './participants';
import type { Role } from './roles';

/** What must be true at one instant for the session to start. */
export type Requirement =
  /** Someone is connected in this seat. */
  | { kind: 'seat'; seat: string }
  /** At least `atLeast` distinct seats of this role have someone connected (a group). */
  | { kind: 'role'; role: 'student' | 'counselor'; atLeast: number };

export interface RosterEntry {
  identity: string;
  role: ParticipantRole;
  required: boolean;
  /** The seat this person fills, or null when their presence does not hold the session. */
  seat: string | null;
}

export interface Roster {
  /** Everyone the appointment names, the pair first. */
  people: readonly RosterEntry[];
  /** All of them at once (an empty list never starts a session). */
  requirements: readonly Requirement[];
  /** A group that starts at its scheduled time: nothing starts it before the service's `start_due` timer. */
  startsAtSchedule: boolean;
  /** The appointment's last change (epoch ms): the start rule holds from then on; null when it never changed. */
  since: number | null;
}

/** A role whose presence keeps the session going: the people the call is for, and anyone required. */
function holdsSession(role: ParticipantRole, required: boolean): boolean {
  return role !== 'observer' && (required || role === 'student' || role === 'counselor' || role === 'co_counselor');
}

export function rosterOf(appointment: Appointment): Roster {
  const people = peopleOf(appointment);
  const named = new Map<ParticipantRole, number>();
  for (const person of people) named.set(person.role, (named.get(person.role) ?? 0) + 1);
  const ownSeat = (role: ParticipantRole) => named.get(role) !== 1 || (appointment.group !== undefined && role === 'student');
  const entries: RosterEntry[] = people.map((person) => {
    const required = isRequired(person);
    const seat = holdsSession(person.role, required) ? (ownSeat(person.role) ? `${person.role}:${person.identity}` : person.role) : null;
    return { identity: person.identity, role: person.role, required, seat };
  });
  const { group } = appointment;
  const since = appointment.changedAt ?? null;
  if (!group) {
    const requirements = entries.flatMap((entry): Requirement[] => (entry.required && entry.seat !== null ? [{ kind: 'seat', seat: entry.seat }] : []));
    return { people: entries, requirements, startsAtSchedule: false, since };
  }
  const counselor: Requirement = { kind: 'role', role: 'counselor', atLeast: 1 };
  if (group.startAt === 'scheduled') return { people: entries, requirements: [counselor], startsAtSchedule: true, since };
  const others = entries.flatMap((entry): Requirement[] =>
    entry.required && entry.seat !== null && entry.role !== 'student' && entry.role !== 'counselor' ? [{ kind: 'seat', seat: entry.seat }] : [],
  );
  return { people: entries, requirements: [counselor, { kind: 'role', role: 'student', atLeast: group.quorum ?? 1 }, ...others], startsAtSchedule: false, since };
}

/**
 * The seat a participant fills, or null. A named identity fills its own; anyone else only with
 * a student or counselor role (a trusted claim): that role's one seat, or one of their own.
 */
export function seatOf(roster: Roster, identity: string, role: Role): string | null {
  const entry = roster.people.find((person) => person.identity === identity);
  if (entry) return entry.seat;
  if (role !== 'student' && role !== 'counselor') return null;
  const shared = roster.people.find((person) => person.seat === role);
  return shared ? role : `${role}:${identity}`;
}
