// Generated appointments with up to 16 people (any roles, any required-ness, groups with a quorum
// or a scheduled start), who really connected when, and an oracle for the first moment the start
// rule held, computed from the ground truth and the words alone (not the plugin's code).

import fc from 'fast-check';
import { MAX_PARTICIPANTS, PARTICIPANT_ROLES, checkAppointment, type Appointment, type AppointmentParticipant, type ParticipantRole } from '../../../plugin/participants';
import { ROLE_ATTRIBUTE } from '../../../plugin/roles';
import type { Truth, Visit } from './traces';

const SECOND = 1_000;
export const GUEST = 'visitor-vic';
export const SUBSTITUTE = 'sub-dee';

export interface GroupTruth extends Truth {
  appointment: Appointment;
  /** The group's scheduled start, and when its `start_due` timer fired (null: never). */
  scheduledStart: number;
  startDueAt: number | null;
  /** The role the substitute's token claims (trusted only under the policy). */
  substituteClaim: 'student' | 'counselor';
}

const participantArbitrary = fc.record({
  role: fc.constantFrom<ParticipantRole>(...PARTICIPANT_ROLES),
  required: fc.constantFrom<boolean | undefined>(undefined, undefined, true, false),
});

const appointmentArbitrary: fc.Arbitrary<Appointment> = fc
  .record({
    others: fc.array(participantArbitrary, { maxLength: MAX_PARTICIPANTS - 2 }),
    pairRequired: fc.constantFrom<boolean | undefined>(undefined, undefined, undefined, false),
    group: fc.option(fc.record({ startAt: fc.constantFrom<'quorum' | 'scheduled'>('quorum', 'quorum', 'scheduled'), quorum: fc.integer({ min: 1, max: 6 }) }), { freq: 2 }),
  })
  .map(({ others, pairRequired, group }) => {
    const participants: AppointmentParticipant[] = others.map((other, index) => ({
      identity: `person-${index}`,
      role: other.role,
      ...(other.required === undefined || (other.role === 'observer' && other.required) ? {} : { required: other.required }),
    }));
    if (pairRequired !== undefined) participants.push({ identity: 'student-ana', role: 'student', required: pairRequired });
    const students = 1 + participants.filter((entry) => entry.role === 'student' && entry.identity !== 'student-ana').length;
    return {
      studentIdentity: 'student-ana',
      counselorIdentity: 'counselor-bo',
      participants,
      ...(group ? { group: { startAt: group.startAt, quorum: Math.min(group.quorum, students) } } : {}),
    };
  })
  .filter((appointment) => checkAppointment(appointment).ok);

const identitiesOf = (appointment: Appointment): string[] => [
  appointment.studentIdentity,
  appointment.counselorIdentity,
  ...(appointment.participants ?? []).map((entry) => entry.identity).filter((identity) => identity !== appointment.studentIdentity),
];

const atOrAfter = (at: number, seconds: number) => Math.ceil(at / SECOND) * SECOND + seconds * SECOND;

export const groupTruthArbitrary: fc.Arbitrary<GroupTruth> = appointmentArbitrary.chain((appointment) => {
  const identities = [...identitiesOf(appointment), GUEST, SUBSTITUTE];
  const visit = fc.record({
    identity: fc.constantFrom(...identities),
    joinAt: fc.integer({ min: 1, max: 120_000 }),
    ending: fc.constantFrom('stays', 'leaves', 'leaves', 'aborted'),
    seconds: fc.integer({ min: 0, max: 60 }),
    strayJoin: fc.boolean(),
  });
  return fc
    .record({
      trustRoleAttribute: fc.boolean(),
      substituteClaim: fc.constantFrom<'student' | 'counselor'>('student', 'counselor'),
      visits: fc.array(visit, { minLength: 0, maxLength: 40 }),
      // Often everyone named comes once too (in any order), so the rule is met in many traces.
      everyone: fc.option(fc.array(fc.integer({ min: 1, max: 90_000 }), { minLength: identities.length, maxLength: identities.length }), { freq: 2 }),
      roomStarted: fc.boolean(),
      finished: fc.option(fc.integer({ min: 0, max: 30 }), { freq: 4 }),
      scheduledStart: fc.integer({ min: 0, max: 120_000 }),
      startDueLate: fc.option(fc.integer({ min: 0, max: 60_000 }), { freq: 4 }),
    })
    .map(({ trustRoleAttribute, substituteClaim, visits, everyone, roomStarted, finished, scheduledStart, startDueLate }) => {
      const arrivals = (everyone ?? []).map((joinAt, index) => ({ identity: identities[index] as string, joinAt, ending: 'stays', seconds: 0, strayJoin: false }));
      const built: Visit[] = [...visits, ...arrivals].map((drawn, index) => ({
        sid: `PA_${index}`,
        identity: drawn.identity,
        attributes: drawn.identity === SUBSTITUTE ? { [ROLE_ATTRIBUTE]: substituteClaim } : ({} as Record<string, string>),
        joinAt: drawn.joinAt,
        leaveAt: drawn.ending === 'leaves' ? atOrAfter(drawn.joinAt, drawn.seconds) : null,
        abortAt: drawn.ending === 'aborted' ? atOrAfter(drawn.joinAt, drawn.seconds) : null,
        strayJoin: drawn.strayJoin,
      }));
      const last = Math.max(0, ...built.flatMap((one) => [one.joinAt, one.leaveAt ?? 0, one.abortAt ?? 0]));
      return {
        appointment,
        trustRoleAttribute,
        substituteClaim,
        visits: built,
        roomStarted,
        finishedAt: finished === null ? null : atOrAfter(last, finished),
        scheduledStart,
        startDueAt: startDueLate === null ? null : scheduledStart + startDueLate,
      };
    });
});

/** What the issue says, in plain code: who each identity is, and whether the session waits for them. */
function personOf(truth: GroupTruth, identity: string): { role: ParticipantRole | 'guest'; required: boolean; named: boolean } {
  const { appointment } = truth;
  const listed = appointment.participants?.find((entry) => entry.identity === identity);
  if (identity === appointment.studentIdentity) return { role: 'student', required: listed?.required ?? true, named: true };
  if (identity === appointment.counselorIdentity) return { role: 'counselor', required: listed?.required ?? true, named: true };
  if (listed) {
    const required = listed.role !== 'observer' && (listed.required ?? (listed.role === 'student' || listed.role === 'counselor'));
    return { role: listed.role, required, named: true };
  }
  if (identity === SUBSTITUTE && truth.trustRoleAttribute) return { role: truth.substituteClaim, required: false, named: false };
  return { role: 'guest', required: false, named: false };
}

/**
 * The oracle: the first instant (a join, or the scheduled start once its timer fired) at which
 * the start rule held. Without a group: every required person connected, where a trusted
 * substitute stands in for the required person of a role the appointment names once. In a group:
 * a counselor (named, or the trusted substitute) and `quorum` distinct students (the substitute
 * counting as one more), plus every other required person; or, starting at the scheduled time,
 * the first moment from it with a counselor connected.
 */
export function firstMomentStarted(truth: GroupTruth): number | null {
  const end = truth.finishedAt ?? Infinity;
  const spans = truth.visits
    .filter((visit) => visit.abortAt === null)
    .map((visit) => ({ identity: visit.identity, from: visit.joinAt, until: visit.leaveAt ?? end }));
  const connectedAt = (instant: number) => new Set(spans.filter((span) => span.from <= instant && instant <= span.until).map((span) => span.identity));
  const people = [...new Set([...identitiesOf(truth.appointment), GUEST, SUBSTITUTE])].map((identity) => ({ identity, ...personOf(truth, identity) }));
  const namedOfRole = (role: string) => people.filter((person) => person.named && person.role === role).length;
  const { group } = truth.appointment;

  const holds = (instant: number): boolean => {
    const here = connectedAt(instant);
    const present = people.filter((person) => here.has(person.identity));
    const counselorHere = present.some((person) => person.role === 'counselor');
    if (group?.startAt === 'scheduled') return counselorHere;
    const othersRequired = people.filter((person) => person.required && (!group || (person.role !== 'student' && person.role !== 'counselor')));
    const standsIn = (person: (typeof people)[number]) =>
      present.some((other) => !other.named && other.role === person.role && namedOfRole(person.role) === 1);
    const requiredHere = othersRequired.every((person) => here.has(person.identity) || standsIn(person));
    if (!group) return othersRequired.length > 0 && requiredHere;
    const studentsHere = present.filter((person) => person.role === 'student').length;
    return requiredHere && counselorHere && studentsHere >= (group.quorum ?? 1);
  };

  let floor = -Infinity;
  if (group?.startAt === 'scheduled') {
    if (truth.startDueAt === null) return null;
    floor = truth.scheduledStart;
  }
  const instants = [...(floor === -Infinity ? [] : [floor]), ...spans.map((span) => span.from).filter((from) => from >= floor)].sort((a, b) => a - b);
  return instants.find(holds) ?? null;
}

/** Who holds the session in the words: everyone but observers and guests who is required or counsels or is counseled. */
export function holdsSession(truth: GroupTruth, identity: string): boolean {
  const person = personOf(truth, identity);
  if (person.role === 'guest' || person.role === 'observer') return false;
  return person.required || person.role === 'student' || person.role === 'counselor' || person.role === 'co_counselor';
}
