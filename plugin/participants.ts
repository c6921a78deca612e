// The appointment's people: who is on it, in which role, and whether the session waits for them.
// The clinic names everyone when it creates the session; `studentIdentity` and `counselorIdentity`
// stay as the shorthand for the common pair. Checked here once, at the boundary, so the rules
// (roster.ts, session.ts) can trust what they are given.

/** The kinds of people an appointment can have; a clinic's own labels sit on top of these. */
export const PARTICIPANT_ROLES = ['student', 'counselor', 'guardian', 'interpreter', 'co_counselor', 'observer'] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];

/** One person on the appointment, as the clinic names them. */
export interface AppointmentParticipant {
  identity: string;
  role: ParticipantRole;
  /**
   * Whether the session waits for this person before it starts.
   * @defaultValue true for a student or counselor, false for a guardian, interpreter or
   * co-counselor; an observer can never be required.
   */
  required?: boolean;
  /**
   * The clinic's own word for the person's place ("mother", "Spanish interpreter"), on top of the
   * role; never a name. Shown to the clinic, never used by the rules.
   */
  label?: string;
}

/** How a group session starts instead of waiting for every required participant. */
export interface GroupStart {
  /**
   * `quorum`: a counselor and `quorum` students connected at once. `scheduled`: at the
   * scheduled start (the service's `start_due` timer), with at least one counselor connected.
   * @defaultValue 'quorum'
   */
  startAt?: 'quorum' | 'scheduled';
  /** Distinct students needed with a counselor (for `startAt: 'quorum'`). @defaultValue 1 */
  quorum?: number;
}

/** Everyone on one appointment: the call lays out up to this many people. */
export const MAX_PARTICIPANTS = 16;
/** Students in one group session. */
export const MAX_GROUP_STUDENTS = 15;

export function requiredByDefault(role: ParticipantRole): boolean {
  return role === 'student' || role === 'counselor';
}

/** The participant's required-ness, the clinic's word over the default; an observer never is. */
export function isRequired(participant: AppointmentParticipant): boolean {
  if (participant.role === 'observer') return false;
  return participant.required ?? requiredByDefault(participant.role);
}

export type AppointmentProblem =
  | 'duplicate_participant'
  | 'role_conflict'
  | 'observer_required'
  | 'too_many_participants'
  | 'too_many_students'
  | 'quorum_unreachable'
  | 'nobody_required';

export type AppointmentCheck = { ok: true } | { ok: false; code: AppointmentProblem; reason: string };

/** Who the session is for. Checked by `checkAppointment` before the rules take it. */
export interface Appointment {
  /** The student of the common pair (in a group, one of its students). */
  studentIdentity: string;
  /** The counselor of the common pair (in a group, one of its counselors). */
  counselorIdentity: string;
  /** Everyone else on the appointment; the pair may be listed too, to set its `required`. */
  participants?: readonly AppointmentParticipant[];
  /** Set for a group session: its start rule replaces "every required participant". */
  group?: GroupStart;
  /**
   * When the appointment's people last changed (epoch ms, the service's clock), if they did
   * after the session was made: the start rule over these people holds from then on, never for
   * the moments before (a change cannot start a session in the past).
   */
  changedAt?: number;
}

/** Everyone on the appointment once: the pair first (required unless listed otherwise), then the others in order. */
export function peopleOf(appointment: Appointment): AppointmentParticipant[] {
  const listed = appointment.participants ?? [];
  const pair: AppointmentParticipant[] = [
    listed.find((entry) => entry.identity === appointment.studentIdentity) ?? { identity: appointment.studentIdentity, role: 'student' },
  ];
  // One identity named for both seats is the student only (see roles.ts).
  if (appointment.counselorIdentity !== appointment.studentIdentity) {
    pair.push(listed.find((entry) => entry.identity === appointment.counselorIdentity) ?? { identity: appointment.counselorIdentity, role: 'counselor' });
  }
  const named = new Set(pair.map((entry) => entry.identity));
  return [...pair, ...listed.filter((entry) => !named.has(entry.identity))];
}

const problem = (code: AppointmentProblem, reason: string): AppointmentCheck => ({ ok: false, code, reason });

/** Whether the rules can run on this appointment; the service refuses it at creation otherwise. */
export function checkAppointment(appointment: Appointment): AppointmentCheck {
  const listed = appointment.participants ?? [];
  const seen = new Set<string>();
  for (const entry of listed) {
    if (seen.has(entry.identity)) return problem('duplicate_participant', `${entry.identity} is listed twice`);
    seen.add(entry.identity);
    if (entry.role === 'observer' && entry.required === true) return problem('observer_required', `${entry.identity} observes and so can never be required`);
  }
  const pairRole = (identity: string) => listed.find((entry) => entry.identity === identity)?.role;
  const studentListedAs = pairRole(appointment.studentIdentity);
  if (studentListedAs !== undefined && studentListedAs !== 'student') return problem('role_conflict', `the student ${appointment.studentIdentity} is listed as ${studentListedAs}`);
  const counselorListedAs = pairRole(appointment.counselorIdentity);
  if (appointment.counselorIdentity !== appointment.studentIdentity && counselorListedAs !== undefined && counselorListedAs !== 'counselor') {
    return problem('role_conflict', `the counselor ${appointment.counselorIdentity} is listed as ${counselorListedAs}`);
  }
  const people = peopleOf(appointment);
  if (people.length > MAX_PARTICIPANTS) return problem('too_many_participants', `${people.length} people, at most ${MAX_PARTICIPANTS}`);
  const students = people.filter((entry) => entry.role === 'student').length;
  const { group } = appointment;
  if (group) {
    if (students > MAX_GROUP_STUDENTS) return problem('too_many_students', `${students} students, at most ${MAX_GROUP_STUDENTS} in a group`);
    const quorum = group.quorum ?? 1;
    if ((group.startAt ?? 'quorum') === 'quorum' && (!Number.isInteger(quorum) || quorum < 1 || quorum > students)) {
      return problem('quorum_unreachable', `quorum ${quorum} needs a whole number from 1 to the ${students} students named`);
    }
    return { ok: true };
  }
  if (!people.some(isRequired)) return problem('nobody_required', 'nobody is required, so nothing could start the session');
  return { ok: true };
}
