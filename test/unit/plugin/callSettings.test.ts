// The clinic's call settings as rules: who may share a screen, what LiveKit lets each role publish,
// and how a page's own restriction narrows the clinic's.
import { callAttributes, mayShareScreen, narrowerPolicy, parseScreenSharePolicy, publishSourcesOf, SCREEN_SHARE_POLICIES } from '../../../plugin';

describe('call settings', () => {
  test('the counselor side shares under `counselor`, everyone who publishes under `everyone`, nobody under `none`; observers and guests never', () => {
    const roles = ['student', 'counselor', 'co_counselor', 'guardian', 'interpreter', 'observer', 'guest'] as const;
    const allowed = (policy: 'counselor' | 'everyone' | 'none') => roles.filter((role) => mayShareScreen(policy, role));
    expect(allowed('counselor')).toEqual(['counselor', 'co_counselor']);
    expect(allowed('everyone')).toEqual(['student', 'counselor', 'co_counselor', 'guardian', 'interpreter']);
    expect(allowed('none')).toEqual([]);
  });

  test('a role that may share gets the screen and its sound as LiveKit sources; the others voice and video only', () => {
    expect(publishSourcesOf('counselor', { screenShare: 'counselor', chat: true })).toEqual(['camera', 'microphone', 'screen_share', 'screen_share_audio']);
    expect(publishSourcesOf('student', { screenShare: 'counselor', chat: true })).toEqual(['camera', 'microphone']);
    expect(callAttributes({ screenShare: 'none', chat: false })).toEqual({ 'autostart.screen_share': 'none', 'autostart.chat': 'off' });
  });

  test('a page narrows the clinic\'s policy, never widens it', () => {
    for (const a of SCREEN_SHARE_POLICIES) for (const b of SCREEN_SHARE_POLICIES) expect(narrowerPolicy(a, b)).toBe(narrowerPolicy(b, a));
    expect(narrowerPolicy('everyone', 'counselor')).toBe('counselor');
    expect(narrowerPolicy('counselor', 'none')).toBe('none');
    expect([parseScreenSharePolicy('everyone'), parseScreenSharePolicy('EVERYONE'), parseScreenSharePolicy(undefined)]).toEqual(['everyone', null, null]);
  });
});
