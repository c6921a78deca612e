// The demo portal's "new session" form: who besides the student and the counselor is on the
// appointment (a guardian, required or not; an interpreter; an observing supervisor) and whether
// the others are told that the supervisor observes. Turned here into the clinic API's request,
// with made-up identities for this run; a real portal takes its people from its own records.
import type { ParticipantRole } from '../plugin';

export interface AppointmentForm {
  /** A guardian on the appointment. @defaultValue false */
  guardian?: boolean;
  /** The session waits for the guardian (with `guardian`). @defaultValue true */
  guardianRequired?: boolean;
  /** An interpreter, who joins whenever they come. @defaultValue false */
  interpreter?: boolean;
  /** A supervisor who observes, hidden and watch-only. @defaultValue false */
  observer?: boolean;
  /** The others are told that a supervisor observes. @defaultValue true */
  observersDisclosed?: boolean;
}

/** One person of the demo appointment. */
export interface DemoPerson {
  role: ParticipantRole;
  identity: string;
  /** The session waits for them before it starts. */
  required: boolean;
}

export interface DemoAppointment {
  people: DemoPerson[];
  /** The body of the clinic API's POST /v1/sessions. */
  request: {
    studentIdentity: string;
    counselorIdentity: string;
    participants: { identity: string; role: ParticipantRole; required?: boolean }[];
    observersDisclosed: boolean;
  };
}

const FIELDS = ['guardian', 'guardianRequired', 'interpreter', 'observer', 'observersDisclosed'] as const;

/** The form as sent, or a message saying what is wrong with it (an empty body is the pair alone). */
export function readAppointmentForm(body: unknown): AppointmentForm | string {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) return 'the form must be a JSON object';
  for (const [key, value] of Object.entries(body)) {
    if (!(FIELDS as readonly string[]).includes(key)) return `unknown field ${JSON.stringify(key)} (expected ${FIELDS.join(', ')})`;
    if (typeof value !== 'boolean') return `${key} must be true or false`;
  }
  return body as AppointmentForm;
}

/** The appointment the form asks for; `suffix` makes this session's identities its own. */
export function demoAppointment(form: AppointmentForm, suffix: string): DemoAppointment {
  const student = `student-${suffix}`;
  const counselor = `counselor-${suffix}`;
  const others: DemoPerson[] = [
    ...(form.guardian ? [{ role: 'guardian' as const, identity: `guardian-${suffix}`, required: form.guardianRequired ?? true }] : []),
    ...(form.interpreter ? [{ role: 'interpreter' as const, identity: `interpreter-${suffix}`, required: false }] : []),
    ...(form.observer ? [{ role: 'observer' as const, identity: `supervisor-${suffix}`, required: false }] : []),
  ];
  return {
    people: [{ role: 'student', identity: student, required: true }, { role: 'counselor', identity: counselor, required: true }, ...others],
    request: {
      studentIdentity: student,
      counselorIdentity: counselor,
      participants: others.map(({ identity, role, required }) => ({ identity, role, ...(role === 'guardian' ? { required } : {}) })),
      observersDisclosed: form.observersDisclosed ?? true,
    },
  };
}
