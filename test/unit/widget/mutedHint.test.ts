// "You are muted": shown while the muted user talks and a little after, announced once per muted stretch.

import { HINT_MS, MutedHint, SPEECH_LEVEL } from '../../../widget/mutedHint';

const T0 = 1_767_600_000_000;
const LOUD = SPEECH_LEVEL + 0.1;

describe('the muted hint', () => {
  it('shows when a muted user talks in the call, is announced once, and goes HINT_MS after they stop', () => {
    const hint = new MutedHint();
    expect(hint.update(true, 0, T0)).toEqual({ shown: false, announce: false });
    expect(hint.update(true, LOUD, T0 + 100)).toEqual({ shown: true, announce: true });
    expect(hint.update(true, LOUD, T0 + 200)).toEqual({ shown: true, announce: false });
    expect(hint.update(true, 0, T0 + 200 + HINT_MS - 1)).toEqual({ shown: true, announce: false });
    expect(hint.update(true, 0, T0 + 200 + HINT_MS)).toEqual({ shown: false, announce: false });
    // Talking again while still muted: shown, not announced again.
    expect(hint.update(true, LOUD, T0 + 10_000)).toEqual({ shown: true, announce: false });
  });

  it('is announced again after the microphone was on', () => {
    const hint = new MutedHint();
    hint.update(true, LOUD, T0);
    expect(hint.update(false, LOUD, T0 + 100)).toEqual({ shown: false, announce: false });
    expect(hint.update(true, LOUD, T0 + 200)).toEqual({ shown: true, announce: true });
  });

  it('never shows for room noise, with the microphone on, or outside the call', () => {
    const hint = new MutedHint();
    expect(hint.update(true, SPEECH_LEVEL, T0).shown).toBe(false);
    expect(hint.update(false, 1, T0 + 100).shown).toBe(false);
  });
});
