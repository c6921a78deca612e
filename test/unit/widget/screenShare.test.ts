// Who is offered "Share screen", from the screen-share attribute.

import { mayShareScreen, screenSharePolicy } from '../../../widget/screenShare';

describe('who may share a screen', () => {
  it('the counselor by default; everyone when the clinic lets students share; nobody when turned off', () => {
    expect([mayShareScreen(screenSharePolicy(null), 'counselor'), mayShareScreen(screenSharePolicy(null), 'student')]).toEqual([true, false]);
    expect([mayShareScreen(screenSharePolicy('everyone'), 'counselor'), mayShareScreen(screenSharePolicy('everyone'), 'student')]).toEqual([true, true]);
    expect([mayShareScreen(screenSharePolicy('none'), 'counselor'), mayShareScreen(screenSharePolicy('none'), 'student')]).toEqual([false, false]);
  });

  it('an unknown value is the default, never more', () => {
    for (const value of ['', 'all', 'EVERYONE', 'student']) expect(screenSharePolicy(value)).toBe('counselor');
  });
});
