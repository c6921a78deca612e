// Changing an appointment's people after the session was made: adding or changing one person,
// removing one. Pure: the service applies the answer under the session's lock. A change that
// would leave an appointment the rules cannot run, or take away what the session is for, is
// refused with a code; a change that changes nothing says so (the request is then a repeat).
//
// The pair (`studentIdentity`, `counselorIdentity`) is the appointment's own student and
// counselor. Removing one of them hands the seat to the next listed person of that role; with
// nobody to hand it to, the removal is refused. Their role cannot change in place (remove and
// add again). A change never leaves a two-party or multi-party session without a required
// counselor when it had one.

import { checkAppointment, isRequired, peopleOf, type Appointment, type AppointmentParticipant, type AppointmentProblem } from './participants';

export type AppointmentChangeProblem =
  | Exclude<AppointmentProblem, 'duplicate_participant'>
  /** The pair's student or counselor would take another role in place. */
  | 'pair_role_change'
  /** The last student or counselor of the appointment would be removed. */
  | 'last_of_role'
  /** No counselor the session waits for would be left. */
  | 'last_required_counselor';

export type AppointmentChange =
  | { ok: true; changed: false }
  | { ok: true; changed: true; appointment: Appointment }
  | { ok: false; code: AppointmentChangeProblem; reason: string };

const refused = (code: AppointmentChangeProblem, reason: string): AppointmentChange => ({ ok: false, code, reason });

const sameEntry = (a: AppointmentParticipant | undefined, b: AppointmentParticipant): boolean =>
  a !== undefined && a.identity === b.identity && a.role === b.role && a.required === b.required && a.label === b.label;

const hasRequiredCounselor = (appointment: Appointment): boolean =>
  appointment.group !== undefined || peopleOf(appointment).some((person) => person.role === 'counselor' && isRequired(person));

/** The new appointment, checked as a whole against the one before. */
function checked(before: Appointment, after: Appointment): AppointmentChange {
  const check = checkAppointment(after);
  if (!check.ok) {
    if (check.code === 'duplicate_participant') throw new Error(`a change produced a duplicate: ${check.reason}`);
    return refused(check.code, check.reason);
  }
  if (hasRequiredCounselor(before) && !hasRequiredCounselor(after)) {
    return refused('last_required_counselor', 'the session would have no counselor it waits for; add or require another counselor first');
  }
  return { ok: true, changed: true, appointment: after };
}

/** Without `changedAt`: the caller stamps the change. */
const withoutStamp = ({ changedAt: _changedAt, ...appointment }: Appointment): Appointment => appointment;

/** Adds `participant`, or changes the person of that identity (role, required, label). */
export function putParticipant(appointment: Appointment, participant: AppointmentParticipant): AppointmentChange {
  const entry: AppointmentParticipant = {
    identity: participant.identity,
    role: participant.role,
    ...(participant.required === undefined ? {} : { required: participant.required }),
    ...(participant.label === undefined ? {} : { label: participant.label }),
  };
  const listed = appointment.participants ?? [];
  const pairRole = entry.identity === appointment.studentIdentity ? 'student' : entry.identity === appointment.counselorIdentity ? 'counselor' : null;
  if (pairRole !== null && entry.role !== pairRole) {
    return refused('pair_role_change', `${entry.identity} is the session's ${pairRole}; remove them and add them again to give them another role`);
  }
  const index = listed.findIndex((person) => person.identity === entry.identity);
  if (sameEntry(listed[index], entry)) return { ok: true, changed: false };
  // The pair alone, unlisted and as it was by default: nothing to write.
  if (index < 0 && pairRole !== null && entry.required === undefined && entry.label === undefined) return { ok: true, changed: false };
  const participants = index < 0 ? [...listed, entry] : listed.map((person, at) => (at === index ? entry : person));
  return checked(appointment, { ...withoutStamp(appointment), participants });
}

/** Removes the person of `identity`; removing someone the appointment does not name changes nothing. */
export function removeParticipant(appointment: Appointment, identity: string): AppointmentChange {
  const people = peopleOf(appointment);
  const person = people.find((entry) => entry.identity === identity);
  if (!person) return { ok: true, changed: false };
  const participants = (appointment.participants ?? []).filter((entry) => entry.identity !== identity);
  const after: Appointment = { ...withoutStamp(appointment), participants };
  if (identity === appointment.studentIdentity || identity === appointment.counselorIdentity) {
    const seat = identity === appointment.studentIdentity ? 'student' : 'counselor';
    const successor = participants.find((entry) => entry.role === seat && entry.identity !== appointment.studentIdentity && entry.identity !== appointment.counselorIdentity);
    if (!successor) return refused('last_of_role', `${identity} is the session's only ${seat}`);
    if (seat === 'student') after.studentIdentity = successor.identity;
    else after.counselorIdentity = successor.identity;
  }
  return checked(appointment, after);
}
