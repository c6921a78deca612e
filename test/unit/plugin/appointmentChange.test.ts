// Changing an appointment's people after the session was made: what may change, what is refused,
// and how the start rule takes the change (from its moment on, never for the moments before).

import { putParticipant, removeParticipant } from '../../../plugin/appointmentChange';
import type { Appointment } from '../../../plugin/participants';
import { replay, newSession } from '../../../plugin/session';
import { COUNSELOR, STUDENT, appointment as pair, joined, left } from './builders';

const GUARDIAN = 'guardian-gil';
const COUNSELOR_TWO = 'counselor-cy';

const changed = (result: ReturnType<typeof putParticipant>): Appointment => {
  if (!result.ok || !result.changed) throw new Error(`expected a change, got ${JSON.stringify(result)}`);
  return result.appointment;
};

describe('adding and changing a participant', () => {
  test('a required guardian is added after the pair, and adding them again changes nothing', () => {
    const withGuardian = changed(putParticipant(pair, { identity: GUARDIAN, role: 'guardian', required: true, label: 'mother' }));
    expect(withGuardian.participants).toEqual([{ identity: GUARDIAN, role: 'guardian', required: true, label: 'mother' }]);
    expect(putParticipant(withGuardian, { identity: GUARDIAN, role: 'guardian', required: true, label: 'mother' })).toEqual({ ok: true, changed: false });
  });

  test('changing a listed person keeps their place in the list', () => {
    const two = changed(putParticipant(changed(putParticipant(pair, { identity: GUARDIAN, role: 'guardian' })), { identity: 'interpreter-ida', role: 'interpreter' }));
    const after = changed(putParticipant(two, { identity: GUARDIAN, role: 'guardian', required: true }));
    expect(after.participants?.map((entry) => [entry.identity, entry.required])).toEqual([
      [GUARDIAN, true],
      ['interpreter-ida', undefined],
    ]);
  });

  test("the pair's role cannot change in place, and naming the pair as it is changes nothing", () => {
    expect(putParticipant(pair, { identity: STUDENT, role: 'guardian' })).toMatchObject({ ok: false, code: 'pair_role_change' });
    expect(putParticipant(pair, { identity: COUNSELOR, role: 'counselor' })).toEqual({ ok: true, changed: false });
  });

  test('an observer is never required, and a seventeenth person is refused', () => {
    expect(putParticipant(pair, { identity: 'sup', role: 'observer', required: true })).toMatchObject({ ok: false, code: 'observer_required' });
    let full: Appointment = pair;
    for (let index = 0; index < 14; index += 1) full = changed(putParticipant(full, { identity: `p${index}`, role: 'interpreter' }));
    expect(putParticipant(full, { identity: 'one-too-many', role: 'interpreter' })).toMatchObject({ ok: false, code: 'too_many_participants' });
  });

  test('the only required counselor cannot be made optional', () => {
    expect(putParticipant(pair, { identity: COUNSELOR, role: 'counselor', required: false })).toMatchObject({ ok: false, code: 'last_required_counselor' });
    const two = changed(putParticipant(pair, { identity: COUNSELOR_TWO, role: 'counselor' }));
    expect(changed(putParticipant(two, { identity: COUNSELOR, role: 'counselor', required: false })).participants).toHaveLength(2);
  });
});

describe('removing a participant', () => {
  test('removing someone not on the appointment changes nothing', () => {
    expect(removeParticipant(pair, 'nobody')).toEqual({ ok: true, changed: false });
  });

  test("removing the pair's counselor hands the seat to the next counselor, and the last one cannot go", () => {
    expect(removeParticipant(pair, COUNSELOR)).toMatchObject({ ok: false, code: 'last_of_role' });
    const two = changed(putParticipant(pair, { identity: COUNSELOR_TWO, role: 'counselor' }));
    const after = changed(removeParticipant(two, COUNSELOR));
    expect(after).toMatchObject({ studentIdentity: STUDENT, counselorIdentity: COUNSELOR_TWO });
  });

  test('removing the only required counselor while an optional one stays is refused', () => {
    const two = changed(putParticipant(pair, { identity: COUNSELOR_TWO, role: 'counselor', required: false }));
    expect(removeParticipant(two, COUNSELOR)).toMatchObject({ ok: false, code: 'last_required_counselor' });
  });

  test("a group's students cannot fall below its quorum", () => {
    const group: Appointment = { ...pair, participants: [{ identity: 'student-two', role: 'student' }], group: { quorum: 2 } };
    expect(removeParticipant(group, 'student-two')).toMatchObject({ ok: false, code: 'quorum_unreachable' });
  });
});

describe('the start rule after a change', () => {
  const withGuardian: Appointment = { ...pair, participants: [{ identity: GUARDIAN, role: 'guardian', required: true }] };

  test('removing the last missing required person starts the session at the change, not when the others met', () => {
    const after = changed(removeParticipant(withGuardian, GUARDIAN));
    const state = replay(newSession('s', { ...after, changedAt: 10_000 }), [joined(STUDENT, 'PA_s', 1_000), joined(COUNSELOR, 'PA_c', 2_000)]);
    expect(state).toMatchObject({ status: 'active', actualStart: 10_000 });
  });

  test('a pair that met and parted before the change does not start the session', () => {
    const after = changed(removeParticipant(withGuardian, GUARDIAN));
    const events = [joined(STUDENT, 'PA_s', 1_000), joined(COUNSELOR, 'PA_c', 2_000), left(COUNSELOR, 'PA_c', 3_000)];
    expect(replay(newSession('s', { ...after, changedAt: 10_000 }), events)).toMatchObject({ status: 'waiting', actualStart: null });
    // Without the change's moment the rule would have found the meeting in the past.
    expect(replay(newSession('s', after), events)).toMatchObject({ status: 'active', actualStart: 2_000 });
  });

  test('a required guardian added to a waiting session is waited for', () => {
    const after = changed(putParticipant(pair, { identity: GUARDIAN, role: 'guardian', required: true }));
    const state = replay(newSession('s', { ...after, changedAt: 500 }), [joined(STUDENT, 'PA_s', 1_000), joined(COUNSELOR, 'PA_c', 2_000)]);
    expect(state).toMatchObject({ status: 'waiting', actualStart: null });
    expect(replay(state, [joined(GUARDIAN, 'PA_g', 3_000)])).toMatchObject({ status: 'active', actualStart: 3_000 });
  });
});
