// Appointments with more than two people: a required guardian, an optional interpreter, a hidden
// observer, a group with a quorum or a scheduled start, and what an appointment may not say.

import { attendance } from '../../../plugin/attendance';
import { checkAppointment, type Appointment } from '../../../plugin/participants';
import { ROLE_ATTRIBUTE } from '../../../plugin/roles';
import { rosterOf } from '../../../plugin/roster';
import { decide, newSession, pendingTimers, replay, type Effect, type NewSessionOptions, type SessionInput, type SessionState } from '../../../plugin/session';
import { decodeState, encodeState } from '../../../plugin/stateCodec';
import { awaitedRoles, rolesOf, stillMissing } from '../../../plugin/waitingFor';
import { COUNSELOR, STUDENT, appointment as pair, graceExpired, joined, left, noShowDue } from './builders';

const SESSION = 'sess-group';
const GUARDIAN = 'guardian-gil';
const INTERPRETER = 'interpreter-ida';
const SUPERVISOR = 'supervisor-sue';
const lifecycle = { rejoinGraceMs: 20_000, noShowAfterMs: 60_000 };

const family: Appointment = {
  ...pair,
  participants: [
    { identity: GUARDIAN, role: 'guardian', required: true },
    { identity: INTERPRETER, role: 'interpreter' },
    { identity: SUPERVISOR, role: 'observer' },
  ],
};

function run(appointment: Appointment, inputs: readonly SessionInput[], options: NewSessionOptions = {}) {
  let state: SessionState = newSession(SESSION, appointment, { lifecycle, ...options });
  const steps: Effect[][] = [];
  for (const input of inputs) {
    const decision = decide(state, input);
    state = decision.state;
    steps.push(decision.effects);
  }
  return { state, steps, effects: steps.flat() };
}

const permutations = <T>(items: readonly T[]): T[][] =>
  items.length <= 1 ? [[...items]] : items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));

describe('every required participant connected at once', () => {
  test.each(permutations([STUDENT, GUARDIAN, COUNSELOR]).map((order) => [order.join(' then '), order]))(
    'a student, a required guardian and a counselor arriving %s start it when the last of them arrives',
    (_name, order) => {
      const arrivals = order.map((identity, index) => joined(identity, `PA_${identity}`, 1_000 * (index + 1)));
      const { state, steps } = run(family, arrivals);
      expect(steps.slice(0, 2).flat().map((effect) => effect.type)).toEqual(['waiting', 'waiting']);
      expect(steps[2]).toEqual([{ type: 'activate', sessionId: SESSION, startedAt: 3_000 }]);
      expect(state.actualStart).toBe(3_000);
    },
  );

  test('a required guardian who left before the counselor came keeps the session waiting', () => {
    const { state } = run(family, [joined(STUDENT, 'PA_s', 1_000), joined(GUARDIAN, 'PA_g', 2_000), left(GUARDIAN, 'PA_g', 3_000), joined(COUNSELOR, 'PA_c', 4_000)]);
    expect(state.status).toBe('waiting');
    expect(state.actualStart).toBeNull();
  });

  test('an optional interpreter arriving after the start joins the running call and is told it is active', () => {
    const { state, steps } = run(family, [joined(STUDENT, 'PA_s', 1_000), joined(GUARDIAN, 'PA_g', 2_000), joined(COUNSELOR, 'PA_c', 3_000), joined(INTERPRETER, 'PA_i', 9_000)]);
    expect(state.actualStart).toBe(3_000);
    expect(steps[3]).toEqual([{ type: 'notify_active', sessionId: SESSION, identity: INTERPRETER, sid: 'PA_i', startedAt: 3_000 }]);
  });

  test('an optional interpreter connected before the start neither starts it nor is waited for', () => {
    const { state, steps } = run(family, [joined(INTERPRETER, 'PA_i', 500), joined(STUDENT, 'PA_s', 1_000), joined(COUNSELOR, 'PA_c', 2_000)]);
    expect(steps[0]).toEqual([]);
    expect(state.status).toBe('waiting');
  });

  test('attendance lists everyone the appointment names, the guardian who never came too', () => {
    const { state } = run(family, [joined(STUDENT, 'PA_s', 1_000), joined('visitor-vic', 'PA_v', 1_500)]);
    expect(attendance(state).map((entry) => [entry.identity, entry.role, entry.firstJoinedAt])).toEqual([
      [STUDENT, 'student', 1_000],
      [COUNSELOR, 'counselor', null],
      [GUARDIAN, 'guardian', null],
      [INTERPRETER, 'interpreter', null],
      [SUPERVISOR, 'observer', null],
      ['visitor-vic', 'guest', 1_500],
    ]);
  });
});

describe('observers', () => {
  test('an observer connected the whole time never starts the session, and the no-show still comes', () => {
    const { state, effects } = run(family, [joined(SUPERVISOR, 'PA_o', 0), joined(STUDENT, 'PA_s', 1_000), joined(GUARDIAN, 'PA_g', 2_000), noShowDue(60_000)], { scheduledStart: 0 });
    expect(effects.filter((effect) => effect.type === 'waiting').map((effect) => effect.type === 'waiting' && effect.identity)).toEqual([STUDENT, GUARDIAN]);
    expect(state.status).toBe('no_show');
    expect(state.connected.observer).toBe(1);
  });

  test('an observer still connected does not hold the rejoin grace off', () => {
    const started = [joined(SUPERVISOR, 'PA_o', 0), joined(STUDENT, 'PA_s', 1_000), joined(GUARDIAN, 'PA_g', 2_000), joined(COUNSELOR, 'PA_c', 3_000)];
    const leaves = [left(STUDENT, 'PA_s', 10_000), left(GUARDIAN, 'PA_g', 11_000), left(COUNSELOR, 'PA_c', 12_000)];
    const { state, steps } = run(family, [...started, ...leaves]);
    expect(steps[6]).toEqual([{ type: 'await_return', sessionId: SESSION, lastLeftAt: 12_000, dueAt: 32_000 }]);
    expect(pendingTimers(state)).toEqual([{ kind: 'grace_expired', dueAt: 32_000 }]);
    expect(decide(state, graceExpired(32_000)).effects).toEqual([
      { type: 'close', sessionId: SESSION, status: 'ended', reason: 'timeout', at: 32_000, startedAt: 3_000, endedAt: 12_000 },
    ]);
  });

  test('a guardian still connected holds the session while the student and counselor step away', () => {
    const { state } = run(family, [joined(STUDENT, 'PA_s', 1_000), joined(GUARDIAN, 'PA_g', 2_000), joined(COUNSELOR, 'PA_c', 3_000), left(STUDENT, 'PA_s', 5_000), left(COUNSELOR, 'PA_c', 6_000)]);
    expect(pendingTimers(state)).toEqual([]);
  });
});

describe('groups', () => {
  const students = Array.from({ length: 15 }, (_, index) => `student-${String(index).padStart(2, '0')}`);
  const group = (start: Appointment['group']): Appointment => ({
    studentIdentity: students[0] as string,
    counselorIdentity: COUNSELOR,
    participants: students.map((identity) => ({ identity, role: 'student' as const })),
    group: start,
  });

  test('15 students with quorum 3 start when a counselor and the third student are connected', () => {
    const arrivals = [joined(students[0] as string, 'PA_0', 1_000), joined(COUNSELOR, 'PA_c', 2_000), joined(students[0] as string, 'PA_0b', 2_500), joined(students[1] as string, 'PA_1', 3_000)];
    const before = run(group({ quorum: 3 }), arrivals);
    expect(before.state.status).toBe('waiting');
    const { state, steps } = run(group({ quorum: 3 }), [...arrivals, joined(students[2] as string, 'PA_2', 4_000)]);
    expect(steps[4]).toEqual([{ type: 'activate', sessionId: SESSION, startedAt: 4_000 }]);
    expect(state.actualStart).toBe(4_000);
    const late = run(group({ quorum: 3 }), [...arrivals, joined(students[2] as string, 'PA_2', 4_000), joined(students[9] as string, 'PA_9', 9_000)], { scheduledStart: 60_000 });
    expect(late.steps[5]).toEqual([{ type: 'notify_active', sessionId: SESSION, identity: students[9], sid: 'PA_9', startedAt: 4_000 }]);
    expect(attendance(late.state).filter((entry) => entry.role === 'student' && entry.firstJoinedAt !== null).map((entry) => entry.lateSeconds)).toEqual([-59, -57, -56, -51]);
  });

  test('quorum students without a counselor never start a group', () => {
    const { state } = run(group({ quorum: 2 }), students.slice(0, 5).map((identity, index) => joined(identity, `PA_${index}`, 1_000 + index)));
    expect(state.status).toBe('waiting');
  });

  test('a group starting at its scheduled time starts then with a counselor already there', () => {
    const inputs: SessionInput[] = [joined(COUNSELOR, 'PA_c', 50_000), { kind: 'start_due', at: 60_400 }];
    const { state, steps } = run(group({ startAt: 'scheduled' }), inputs, { scheduledStart: 60_000 });
    expect(steps[0]).toEqual([{ type: 'waiting', sessionId: SESSION, identity: COUNSELOR, role: 'counselor', since: 50_000, missing: [] }]);
    expect(steps[1]).toEqual([{ type: 'activate', sessionId: SESSION, startedAt: 60_000 }]);
    expect(state.actualStart).toBe(60_000);
  });

  test('a scheduled group nobody counsels at the time starts when the first counselor arrives after it', () => {
    const scheduled = { scheduledStart: 60_000 };
    const early = run(group({ startAt: 'scheduled' }), [joined(students[0] as string, 'PA_0', 10_000), { kind: 'start_due', at: 59_000 }], scheduled);
    expect(early.steps[1]).toEqual([{ type: 'await_start', sessionId: SESSION, dueAt: 60_000 }]);
    expect(pendingTimers(early.state)).toContainEqual({ kind: 'start_due', dueAt: 60_000 });
    const { state, steps } = run(group({ startAt: 'scheduled' }), [{ kind: 'start_due', at: 60_000 }, joined(COUNSELOR, 'PA_c', 75_000)], scheduled);
    expect(steps[0]).toEqual([]);
    expect(steps[1]).toEqual([{ type: 'activate', sessionId: SESSION, startedAt: 75_000 }]);
    expect(pendingTimers(state)).toEqual([]);
    expect(state.status).toBe('active');
  });

  test('before its time, a counselor and every student do not start a scheduled group', () => {
    const { state } = run(group({ startAt: 'scheduled' }), [joined(COUNSELOR, 'PA_c', 1_000), ...students.map((identity, index) => joined(identity, `PA_${index}`, 2_000 + index))], { scheduledStart: 60_000 });
    expect(state.status).toBe('waiting');
  });
});

describe('the two-party appointment is the smallest case of the rule', () => {
  test('its roster is a student seat and a counselor seat, both required', () => {
    expect(rosterOf(pair)).toEqual({
      people: [
        { identity: STUDENT, role: 'student', required: true, seat: 'student' },
        { identity: COUNSELOR, role: 'counselor', required: true, seat: 'counselor' },
      ],
      requirements: [
        { kind: 'seat', seat: 'student' },
        { kind: 'seat', seat: 'counselor' },
      ],
      startsAtSchedule: false,
      since: null,
    });
  });

  test('a trusted substitute takes the seat of a role named once, not of a role named twice', () => {
    const claim = { [ROLE_ATTRIBUTE]: 'counselor' };
    const policy = { trustRoleAttribute: true };
    const once = run(family, [joined(STUDENT, 'PA_s', 1_000), joined(GUARDIAN, 'PA_g', 2_000), joined('sub-dee', 'PA_x', 3_000, claim)], { policy });
    expect(once.state.actualStart).toBe(3_000);
    const twice: Appointment = { ...pair, participants: [{ identity: 'counselor-two', role: 'counselor' }] };
    const other = run(twice, [joined(STUDENT, 'PA_s', 1_000), joined(COUNSELOR, 'PA_c', 2_000), joined('sub-dee', 'PA_x', 3_000, claim)], { policy });
    expect(other.state.status).toBe('waiting');
  });
});

test('a state with every kind of participant comes back whole from its compact form', () => {
  const { state } = run(family, [joined(SUPERVISOR, 'PA_o', 0), joined(STUDENT, 'PA_s', 1_000), joined(GUARDIAN, 'PA_g', 2_000), joined(INTERPRETER, 'PA_i', 2_500), joined(COUNSELOR, 'PA_c', 3_000)]);
  expect(decodeState(encodeState(state))).toEqual(state);
  expect(replay(newSession(SESSION, family, { lifecycle }), [joined(COUNSELOR, 'PA_c', 3_000), joined(GUARDIAN, 'PA_g', 2_000), joined(STUDENT, 'PA_s', 1_000)]).actualStart).toBe(3_000);
});

describe('checkAppointment', () => {
  test.each<[string, Appointment, string]>([
    ['a person listed twice', { ...pair, participants: [{ identity: GUARDIAN, role: 'guardian' }, { identity: GUARDIAN, role: 'interpreter' }] }, 'duplicate_participant'],
    ['the student listed in another role', { ...pair, participants: [{ identity: STUDENT, role: 'guardian' }] }, 'role_conflict'],
    ['a required observer', { ...pair, participants: [{ identity: SUPERVISOR, role: 'observer', required: true }] }, 'observer_required'],
    ['17 people', { ...pair, participants: Array.from({ length: 15 }, (_, index) => ({ identity: `g-${index}`, role: 'guardian' as const })) }, 'too_many_participants'],
    ['a quorum above the students named', { ...pair, group: { quorum: 2 } }, 'quorum_unreachable'],
    ['nobody required', { ...pair, participants: [{ identity: STUDENT, role: 'student', required: false }, { identity: COUNSELOR, role: 'counselor', required: false }] }, 'nobody_required'],
  ])('refuses %s', (_name, appointment, code) => {
    expect(checkAppointment(appointment)).toMatchObject({ ok: false, code });
  });

  test('accepts the pair alone, a family with an observer, and a group of 15 with quorum 3', () => {
    expect(checkAppointment(pair)).toEqual({ ok: true });
    expect(checkAppointment(family)).toEqual({ ok: true });
    const students = Array.from({ length: 15 }, (_, index) => ({ identity: `s-${index}`, role: 'student' as const }));
    expect(checkAppointment({ studentIdentity: 's-0', counselorIdentity: COUNSELOR, participants: students, group: { quorum: 3 } })).toEqual({ ok: true });
  });
});

describe('whom the start still waits for, by role', () => {
  test('a student alone in a family appointment waits for the counselor and the required guardian, not the optional interpreter nor the observer', () => {
    const { steps } = run(family, [joined(STUDENT, 'PA_s', 1_000)]);
    expect(steps[0]?.[0]).toMatchObject({ type: 'waiting', missing: [{ identity: COUNSELOR, role: 'counselor' }, { identity: GUARDIAN, role: 'guardian' }] });
    const then = run(family, [joined(STUDENT, 'PA_s', 1_000), joined(SUPERVISOR, 'PA_o', 1_500), joined(GUARDIAN, 'PA_g', 2_000)]);
    expect(then.steps[2]?.[0]).toMatchObject({ type: 'waiting', missing: [{ identity: COUNSELOR, role: 'counselor' }] });
    expect(rolesOf(stillMissing(then.state))).toEqual(['counselor']);
  });

  test('a group short of its quorum waits for any of its students not there', () => {
    const group: Appointment = {
      ...pair,
      participants: ['s2', 's3', 's4'].map((identity) => ({ identity, role: 'student' as const })),
      group: { quorum: 3 },
    };
    const { state } = run(group, [joined(COUNSELOR, 'PA_c', 1_000), joined(STUDENT, 'PA_s', 2_000), joined('s3', 'PA_3', 3_000)]);
    expect(state.status).toBe('waiting');
    expect(stillMissing(state)).toEqual([
      { identity: 's2', role: 'student' },
      { identity: 's4', role: 'student' },
    ]);
    expect(stillMissing(run(group, [joined(STUDENT, 'PA_s', 2_000)]).state).map((person) => person.role)).toEqual(['counselor', 'student', 'student', 'student']);
  });
});

describe('the roles a token says the start waits for', () => {
  test('one entry per person needed: the family its three required, a group its counselor and quorum', () => {
    expect(awaitedRoles(rosterOf(family))).toEqual(['student', 'counselor', 'guardian']);
    expect(awaitedRoles(rosterOf({ ...pair, participants: [{ identity: 's2', role: 'student' }], group: { quorum: 2 } }))).toEqual(['counselor', 'student', 'student']);
    expect(awaitedRoles(rosterOf({ ...pair, group: { startAt: 'scheduled' } }))).toEqual(['counselor']);
  });
});
