// The waiting room's heading by role: whom the start still waits for, from the token's list of
// awaited roles less the roles connected.
import { en, es } from '../../../widget/texts';
import { parseAwaits, stillAwaited, waitingHeading } from '../../../widget/waitingFor';

test('a student alone in a family appointment waits for the counselor and the guardian', () => {
  const missing = stillAwaited(parseAwaits('student,counselor,guardian'), ['student']);
  expect(missing).toEqual(['counselor', 'guardian']);
  expect(waitingHeading(missing, en)).toBe('Waiting for the counselor and the guardian');
  expect(waitingHeading(missing, es)).toBe('Esperando al consejero y al tutor');
});

test('three missing are listed with commas, and a group counts its students', () => {
  expect(waitingHeading(['counselor', 'guardian', 'interpreter'], en)).toBe('Waiting for the counselor, the guardian and the interpreter');
  expect(waitingHeading(stillAwaited(parseAwaits('counselor,student,student,student'), ['student']), en)).toBe('Waiting for the counselor and 2 students');
});

test('the two-party case and an older token keep the two-party heading (null)', () => {
  expect(waitingHeading(stillAwaited(parseAwaits('student,counselor'), ['student']), en)).toBeNull();
  expect(waitingHeading(stillAwaited(parseAwaits(undefined), ['student']), en)).toBeNull();
});

test('a second device of one role fills one place only', () => {
  expect(stillAwaited(['student', 'counselor', 'guardian'], ['guardian', 'guardian', 'student'])).toEqual(['counselor']);
});
