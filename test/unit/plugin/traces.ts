// Generated ground truth for the property tests: who was really connected when, the events
// LiveKit sends for it, the delivery orders LiveKit can produce, and a simple oracle for the
// first moment a student and a counselor were connected together, computed from the ground
// truth alone (not from the plugin's code).

import fc from 'fast-check';
import type { SessionEvent } from '../../../plugin/events';
import { ROLE_ATTRIBUTE, type Appointment } from '../../../plugin/roles';

export const appointment: Appointment = { studentIdentity: 'student-ana', counselorIdentity: 'counselor-bo' };
const ROOM = 'session-prop';
const SECOND = 1_000;

/** Who each identity really is: the substitute only counts when we trust our tokens' attribute. */
const TRUE_ROLE: Record<string, (trusted: boolean) => 'student' | 'counselor' | 'guest'> = {
  'student-ana': () => 'student',
  'counselor-bo': () => 'counselor',
  'sub-dee': (trusted) => (trusted ? 'counselor' : 'guest'),
  'observer-cy': () => 'guest',
};

/** One connection (one sid). Leaves and aborts are whole seconds, as LiveKit stamps them. */
export interface Visit {
  sid: string;
  identity: string;
  attributes: Record<string, string>;
  joinAt: number;
  leaveAt: number | null;
  abortAt: number | null;
  /** For an aborted sid: LiveKit sends a joined anyway, after the abort. */
  strayJoin: boolean;
}

export interface Truth {
  trustRoleAttribute: boolean;
  visits: Visit[];
  roomStarted: boolean;
  finishedAt: number | null;
}

/** Named identities may carry any claim, the substitute always claims counselor, observers none. */
function claimOf(identity: string, claim: string | null): Record<string, string> {
  if (identity === 'sub-dee') return { [ROLE_ATTRIBUTE]: 'counselor' };
  if (claim === null || identity === 'observer-cy') return {};
  return { [ROLE_ATTRIBUTE]: claim };
}

const atOrAfter = (at: number, seconds: number) => Math.ceil(at / SECOND) * SECOND + seconds * SECOND;

const visitArbitrary = fc.record({
  identity: fc.constantFrom('student-ana', 'counselor-bo', 'sub-dee', 'observer-cy'),
  claim: fc.constantFrom<string | null>(null, 'student', 'counselor', 'admin'),
  joinAt: fc.integer({ min: 1, max: 120_000 }),
  ending: fc.constantFrom('stays', 'leaves', 'leaves', 'aborted'),
  seconds: fc.integer({ min: 0, max: 40 }),
  strayJoin: fc.boolean(),
});

export const truthArbitrary: fc.Arbitrary<Truth> = fc
  .record({
    trustRoleAttribute: fc.boolean(),
    visits: fc.array(visitArbitrary, { minLength: 0, maxLength: 8 }),
    roomStarted: fc.boolean(),
    finished: fc.option(fc.integer({ min: 0, max: 30 }), { freq: 3 }),
  })
  .map(({ trustRoleAttribute, visits, roomStarted, finished }) => {
    const built: Visit[] = visits.map((visit, index) => ({
      sid: `PA_${index}`,
      identity: visit.identity,
      attributes: claimOf(visit.identity, visit.claim),
      joinAt: visit.joinAt,
      leaveAt: visit.ending === 'leaves' ? atOrAfter(visit.joinAt, visit.seconds) : null,
      abortAt: visit.ending === 'aborted' ? atOrAfter(visit.joinAt, visit.seconds) : null,
      strayJoin: visit.strayJoin,
    }));
    const last = Math.max(0, ...built.flatMap((visit) => [visit.joinAt, visit.leaveAt ?? 0, visit.abortAt ?? 0]));
    return { trustRoleAttribute, visits: built, roomStarted, finishedAt: finished === null ? null : atOrAfter(last, finished) };
  });

/** The oracle: the earliest join instant at which some student and some counselor were both connected. */
export function firstMomentTogether(truth: Truth): number | null {
  const end = truth.finishedAt ?? Infinity;
  const connected = truth.visits
    .filter((visit) => visit.abortAt === null)
    .map((visit) => ({
      role: (TRUE_ROLE[visit.identity] as (trusted: boolean) => string)(truth.trustRoleAttribute),
      from: visit.joinAt,
      until: visit.leaveAt ?? end,
    }));
  const instants = connected.map((span) => span.from).sort((a, b) => a - b);
  const present = (role: string, instant: number) =>
    connected.some((span) => span.role === role && span.from <= instant && instant <= span.until);
  return instants.find((instant) => present('student', instant) && present('counselor', instant)) ?? null;
}

function eventsOf(visit: Visit): { opening: SessionEvent | null; closing: SessionEvent | null } {
  const participant = { sid: visit.sid, identity: visit.identity, attributes: visit.attributes };
  const base = { room: ROOM, participant };
  const opening: SessionEvent | null =
    visit.abortAt === null || visit.strayJoin ? { ...base, kind: 'participant_joined', id: `EV_j_${visit.sid}`, at: visit.joinAt } : null;
  const closing: SessionEvent | null =
    visit.leaveAt !== null
      ? { ...base, kind: 'participant_left', id: `EV_l_${visit.sid}`, at: visit.leaveAt }
      : visit.abortAt !== null
        ? { ...base, kind: 'participant_connection_aborted', id: `EV_a_${visit.sid}`, at: visit.abortAt }
        : null;
  return { opening, closing };
}

/** Draws from a fixed list of random numbers, so fast-check can replay and shrink a delivery plan. */
class Dice {
  private next = 0;
  constructor(private readonly numbers: readonly number[]) {}
  below(bound: number): number {
    const value = this.numbers[this.next % this.numbers.length] ?? 0;
    this.next += 1;
    return bound <= 0 ? 0 : value % bound;
  }
}

/**
 * The order LiveKit sends the events in when nothing goes wrong: by time (ties in any order), a
 * sid's join before its leave, an aborted sid's stray join right after its abort, room_finished last.
 */
export function liveKitOrder(truth: Truth, numbers: readonly number[]): SessionEvent[] {
  const dice = new Dice(numbers);
  const timed: { event: SessionEvent; at: number; tie: number }[] = [];
  for (const visit of truth.visits) {
    const { opening, closing } = eventsOf(visit);
    if (visit.abortAt !== null && closing) {
      timed.push({ event: closing, at: closing.at, tie: dice.below(1000) });
      if (opening) timed.push({ event: opening, at: closing.at, tie: Infinity });
      continue;
    }
    if (opening) timed.push({ event: opening, at: opening.at, tie: dice.below(1000) });
    if (closing) timed.push({ event: closing, at: closing.at, tie: dice.below(1000) });
  }
  timed.sort((a, b) => a.at - b.at || a.tie - b.tie);
  const ordered = timed.map((entry) => entry.event);
  for (const visit of truth.visits) {
    const opening = ordered.findIndex((event) => event.id === `EV_j_${visit.sid}`);
    const closing = ordered.findIndex((event) => event.id === `EV_l_${visit.sid}`);
    // Same instant, tie drawn the wrong way round: LiveKit always sends this sid's join first.
    if (opening >= 0 && closing >= 0 && closing < opening) {
      [ordered[opening], ordered[closing]] = [ordered[closing] as SessionEvent, ordered[opening] as SessionEvent];
    }
  }
  const room = (kind: 'room_started' | 'room_finished', at: number): SessionEvent => ({ kind, id: `EV_${kind}`, at, room: ROOM });
  return [
    ...(truth.roomStarted ? [room('room_started', 0)] : []),
    ...ordered,
    ...(truth.finishedAt !== null ? [room('room_finished', truth.finishedAt)] : []),
  ];
}

/**
 * A delivery LiveKit can produce from `inOrder`: some sids' left/aborted moved anywhere before
 * their joined (never past room_finished), and retried duplicates anywhere after the original,
 * including after the end.
 */
export function deliveryOf(inOrder: readonly SessionEvent[], numbers: readonly number[]): SessionEvent[] {
  const dice = new Dice(numbers);
  const delivered = [...inOrder];
  for (const event of inOrder) {
    if (event.kind !== 'participant_left' && event.kind !== 'participant_connection_aborted') continue;
    if (dice.below(3) !== 0) continue;
    const joinIndex = delivered.findIndex((other) => other.kind === 'participant_joined' && other.participant.sid === event.participant.sid);
    const from = delivered.indexOf(event);
    if (joinIndex < 0 || from < joinIndex) continue;
    delivered.splice(from, 1);
    delivered.splice(dice.below(joinIndex + 1), 0, event);
  }
  const duplicates = dice.below(4);
  for (let copy = 0; copy < duplicates && delivered.length > 0; copy += 1) {
    const original = dice.below(delivered.length);
    const at = original + 1 + dice.below(delivered.length - original);
    delivered.splice(at, 0, { ...(delivered[original] as SessionEvent) });
  }
  return delivered;
}
