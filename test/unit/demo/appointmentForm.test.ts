// The demo portal's "new session" form turned into the clinic API's request: the pair alone by
// default; a guardian (required unless the form says not), an interpreter and an observer when
// ticked; observersDisclosed as ticked (true by default); anything else in the form is refused
// with a message that names it.
import { demoAppointment, readAppointmentForm } from '../../../demo/appointmentForm';

test('an empty form asks for the pair alone, disclosing observers', () => {
  expect(readAppointmentForm(undefined)).toEqual({});
  expect(demoAppointment({}, 'ab12')).toEqual({
    people: [
      { role: 'student', identity: 'student-ab12', required: true },
      { role: 'counselor', identity: 'counselor-ab12', required: true },
    ],
    request: { studentIdentity: 'student-ab12', counselorIdentity: 'counselor-ab12', participants: [], observersDisclosed: true },
  });
});

test('a guardian, an interpreter and an undisclosed observer', () => {
  const { people, request } = demoAppointment({ guardian: true, interpreter: true, observer: true, observersDisclosed: false }, 'cd34');
  expect(people.map((person) => [person.role, person.required])).toEqual([
    ['student', true],
    ['counselor', true],
    ['guardian', true],
    ['interpreter', false],
    ['observer', false],
  ]);
  expect(request.participants).toEqual([
    { identity: 'guardian-cd34', role: 'guardian', required: true },
    { identity: 'interpreter-cd34', role: 'interpreter' },
    { identity: 'supervisor-cd34', role: 'observer' },
  ]);
  expect(request.observersDisclosed).toBe(false);
  expect(demoAppointment({ guardian: true, guardianRequired: false }, 'x').request.participants).toEqual([{ identity: 'guardian-x', role: 'guardian', required: false }]);
});

test('a form that is not what the page sends is refused, naming what is wrong', () => {
  expect(readAppointmentForm('not JSON')).toBe('the form must be a JSON object');
  expect(readAppointmentForm([])).toBe('the form must be a JSON object');
  expect(readAppointmentForm({ supervisor: true })).toMatch(/unknown field "supervisor"/);
  expect(readAppointmentForm({ observer: 'yes' })).toBe('observer must be true or false');
});
