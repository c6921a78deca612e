import { OBSERVED_ATTRIBUTE, OBSERVED_DISCLOSED, observedAttributes } from '../../../plugin';
import type { AppointmentParticipant } from '../../../plugin';

const pair: Pick<AppointmentParticipant, 'role'>[] = [{ role: 'student' }, { role: 'counselor' }];
const observed = [...pair, { role: 'observer' as const }];

describe('observedAttributes', () => {
  it('tells the visible people of a session with a disclosed observer', () => {
    for (const role of ['student', 'counselor', 'guardian', 'interpreter', 'co_counselor'] as const) {
      expect(observedAttributes(observed, true, role)).toEqual({ [OBSERVED_ATTRIBUTE]: OBSERVED_DISCLOSED });
    }
  });

  it('says nothing when the clinic does not disclose, when nobody observes, or to the observer', () => {
    expect(observedAttributes(observed, false, 'student')).toEqual({});
    expect(observedAttributes(pair, true, 'student')).toEqual({});
    expect(observedAttributes(observed, true, 'observer')).toEqual({});
  });
});
