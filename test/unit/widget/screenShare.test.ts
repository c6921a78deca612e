// Who is offered "Share screen": the clinic's policy from the join token, narrowed by the page's
// screen-share attribute; the page's attribute alone with a token that does not say.

import { mayShareScreen, screenSharePolicy } from '../../../widget/screenShare';

describe('who may share a screen', () => {
  it('the counselor by default; everyone when the page lets students share; nobody when turned off', () => {
    expect([mayShareScreen(screenSharePolicy(null), 'counselor'), mayShareScreen(screenSharePolicy(null), 'student')]).toEqual([true, false]);
    expect([mayShareScreen(screenSharePolicy('everyone'), 'counselor'), mayShareScreen(screenSharePolicy('everyone'), 'student')]).toEqual([true, true]);
    expect([mayShareScreen(screenSharePolicy('none'), 'counselor'), mayShareScreen(screenSharePolicy('none'), 'student')]).toEqual([false, false]);
  });

  it('an unknown value is the default, never more', () => {
    for (const value of ['', 'all', 'EVERYONE', 'student']) expect(screenSharePolicy(value)).toBe('counselor');
  });

  it("the clinic's policy from the token wins: the page narrows it, never widens it", () => {
    expect(screenSharePolicy('everyone', 'counselor')).toBe('counselor');
    expect(screenSharePolicy(null, 'everyone')).toBe('everyone');
    expect(screenSharePolicy('counselor', 'everyone')).toBe('counselor');
    expect(screenSharePolicy('everyone', 'none')).toBe('none');
    expect(screenSharePolicy(null, 'none')).toBe('none');
    // A token value we never mint changes nothing: the page's attribute decides as before.
    expect(screenSharePolicy('everyone', 'all')).toBe('everyone');
  });
});
