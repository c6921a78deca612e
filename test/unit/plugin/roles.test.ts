// roleOf: the appointment's identities decide; a token attribute helps only identities the
// appointment does not name, and only under a policy that trusts our tokens.

import type { EventParticipant } from '../../../plugin/events';
import { ROLE_ATTRIBUTE, roleOf, type Appointment } from '../../../plugin/roles';

const appointment: Appointment = { studentIdentity: 'student-ana', counselorIdentity: 'counselor-bo' };
const who = (identity: string, role?: string): EventParticipant => ({
  sid: `PA_${identity}`,
  identity,
  attributes: role ? { [ROLE_ATTRIBUTE]: role } : {},
});

describe('roleOf', () => {
  test('the appointment names the student and the counselor', () => {
    expect(roleOf(appointment, who('student-ana'))).toBe('student');
    expect(roleOf(appointment, who('counselor-bo'))).toBe('counselor');
    expect(roleOf(appointment, who('observer-cy'))).toBe('guest');
  });

  test('without the policy, an attribute makes nobody a student or counselor', () => {
    expect(roleOf(appointment, who('sub-dee', 'counselor'))).toBe('guest');
    expect(roleOf(appointment, who('sub-dee', 'student'), { trustRoleAttribute: false })).toBe('guest');
  });

  test('with the policy, an unnamed identity takes the role its token carries', () => {
    expect(roleOf(appointment, who('sub-dee', 'counselor'), { trustRoleAttribute: true })).toBe('counselor');
    expect(roleOf(appointment, who('sib-eve', 'student'), { trustRoleAttribute: true })).toBe('student');
    expect(roleOf(appointment, who('sub-dee', 'admin'), { trustRoleAttribute: true })).toBe('guest');
    expect(roleOf(appointment, who('sub-dee', 'Counselor'), { trustRoleAttribute: true })).toBe('guest');
  });

  test('a named identity can never make itself the other role, whatever the policy', () => {
    for (const policy of [{}, { trustRoleAttribute: true }]) {
      expect(roleOf(appointment, who('student-ana', 'counselor'), policy)).toBe('student');
      expect(roleOf(appointment, who('counselor-bo', 'student'), policy)).toBe('counselor');
    }
  });

  test('an appointment naming one identity for both seats makes it the student only', () => {
    const same: Appointment = { studentIdentity: 'solo', counselorIdentity: 'solo' };
    expect(roleOf(same, who('solo', 'counselor'), { trustRoleAttribute: true })).toBe('student');
  });
});
