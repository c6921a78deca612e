// The other party's state, as a pure rule: when the page says they left, dropped or are back,
// with LiveKit's connection rating as its only evidence of a drop.

import fc from 'fast-check';
import { backTextKey, continuityChange, continuityTextKey, followedRoles, followParty, shownParty, initialParty, NOBODY, partyEntersCall, SETTLE_MS, type OtherParty, type PartySighting, type PartyState } from '../../../widget/otherParty';

const T0 = 1_767_600_000_000;
const inCall = (now: number, callSince = T0) => ({ inCall: true, callSince, now });
const sighting = (overrides: Partial<PartySighting> = {}): PartySighting => ({ sid: 'PA_1', ratedFine: true, ratedLost: false, microphone: true, camera: true, ...overrides });

function follow(steps: [PartySighting | null, number][], from: PartyState = partyEntersCall(initialParty), callSince = T0): PartyState {
  return steps.reduce((state, [other, now]) => followParty(state, other, inCall(now, callSince)), from);
}

describe('the other party', () => {
  it('is there, with what they publish, while LiveKit lists them', () => {
    const state = follow([[sighting({ microphone: false }), T0 + 100]]);
    expect(state.party).toEqual({ present: true, dropped: false, awaySince: null, microphone: false, camera: true, role: null });
  });

  it('who left after being seen in the call is away at once, and back when listed again', () => {
    const left = follow([[sighting(), T0 + 100], [null, T0 + 1_000]]);
    expect(left.party).toMatchObject({ present: false, dropped: false, awaySince: T0 + 1_000 });
    // The away clock keeps its first moment.
    expect(followParty(left, null, inCall(T0 + 5_000)).party.awaySince).toBe(T0 + 1_000);
    expect(followParty(left, sighting({ sid: 'PA_2' }), inCall(T0 + 6_000)).party).toMatchObject({ present: true, awaySince: null });
  });

  it('not yet listed in a young call is not said missing; after the settling time it is', () => {
    expect(follow([[null, T0 + SETTLE_MS - 1]]).party.awaySince).toBeNull();
    expect(follow([[null, T0 + SETTLE_MS]]).party.awaySince).toBe(T0 + SETTLE_MS);
  });

  it('rated lost counts as dropped only once LiveKit rated the same participant fine', () => {
    // Never rated (a waiting-room participant publishes nothing): lost means nothing yet.
    expect(follow([[sighting({ ratedFine: false, ratedLost: true }), T0 + 100]]).party.dropped).toBe(false);
    const dropped = follow([[sighting(), T0 + 100], [sighting({ ratedFine: false, ratedLost: true }), T0 + 2_000]]);
    expect(dropped.party).toMatchObject({ present: true, dropped: true, awaySince: T0 + 2_000 });
    // A new sid (they joined again) was never rated: its "lost" is not a drop.
    expect(followParty(dropped, sighting({ sid: 'PA_2', ratedFine: false, ratedLost: true }), inCall(T0 + 3_000)).party).toMatchObject({ dropped: false, awaySince: null });
  });

  it('who drops and then leaves stays "dropped" (the cause the page told) until they are back', () => {
    const gone = follow([[sighting(), T0 + 100], [sighting({ ratedFine: false, ratedLost: true }), T0 + 2_000], [null, T0 + 20_000]]);
    expect(gone.party).toMatchObject({ present: false, dropped: true, awaySince: T0 + 2_000 });
    expect(followParty(gone, sighting({ sid: 'PA_2' }), inCall(T0 + 25_000)).party).toMatchObject({ dropped: false, awaySince: null });
  });

  it('outside the call nobody is away, whatever LiveKit says', () => {
    const waiting = followParty(initialParty, null, { inCall: false, callSince: 0, now: T0 + 60_000 });
    expect(waiting.party).toBe(NOBODY);
  });

  it('keeps the same object when nothing shown changed, so the controller emits only changes', () => {
    const state = follow([[sighting(), T0 + 100]]);
    expect(followParty(state, sighting(), inCall(T0 + 200)).party).toBe(state.party);
  });

  it('property: awaySince is null exactly when listed and not dropped, or outside the call', () => {
    const step = fc.record({
      listed: fc.boolean(),
      sid: fc.constantFrom('PA_1', 'PA_2'),
      ratedFine: fc.boolean(),
      ratedLost: fc.boolean(),
      inCall: fc.boolean(),
      dt: fc.integer({ min: 0, max: 10_000 }),
    });
    fc.assert(
      fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
        let state = initialParty;
        let now = T0;
        for (const s of steps) {
          now += s.dt;
          state = followParty(state, s.listed ? sighting({ sid: s.sid, ratedFine: s.ratedFine && !s.ratedLost, ratedLost: s.ratedLost }) : null, { inCall: s.inCall, callSince: T0, now });
          const { party } = state;
          if (!s.inCall || (party.present && !party.dropped)) expect(party.awaySince).toBeNull();
          if (party.awaySince !== null) expect(party.awaySince).toBeLessThanOrEqual(now);
          expect(party.present).toBe(s.listed);
        }
      }),
    );
  });
});

describe('the continuity notice', () => {
  const there: OtherParty = { present: true, dropped: false, awaySince: null, microphone: true, camera: true, role: null };
  const left: OtherParty = { ...there, present: false, awaySince: T0 };
  const dropped: OtherParty = { ...there, dropped: true, awaySince: T0 };

  it('is said when the other party goes, when the cause changes, and when they come back; only in the call', () => {
    expect(continuityChange(there, left, true)).toBe('away');
    expect(continuityChange(null, left, true)).toBe('away');
    expect(continuityChange(left, dropped, true)).toBe('away');
    expect(continuityChange(dropped, there, true)).toBe('back');
    expect(continuityChange(left, { ...left, microphone: false }, true)).toBeNull();
    expect(continuityChange(there, left, false)).toBeNull();
    expect(continuityChange(there, { ...there, camera: false }, true)).toBeNull();
  });

  it('names the other role, and a drop apart from a leave', () => {
    expect(continuityTextKey(dropped, 'student')).toBe('counselorDropped');
    expect(continuityTextKey(dropped, 'counselor')).toBe('studentDropped');
    expect(continuityTextKey(left, 'student')).toBe('counselorLeft');
    expect(continuityTextKey(left, 'counselor')).toBe('studentLeft');
    expect(backTextKey(left, 'student')).toBe('counselorBack');
  });

  it('in a call of more than two names the role that is away, whoever this page is', () => {
    const guardian = { ...dropped, role: 'guardian' };
    expect(continuityTextKey(guardian, 'student')).toBe('guardianDropped');
    expect(continuityTextKey({ ...left, role: 'co_counselor' }, 'counselor')).toBe('coCounselorLeft');
    expect(continuityTextKey({ ...left, role: 'student' }, 'student')).toBe('studentLeft');
    expect(backTextKey({ ...there, role: 'interpreter' }, 'counselor')).toBe('interpreterBack');
    // Another one away than before is said again.
    expect(continuityChange({ ...dropped, role: 'counselor' }, guardian, true)).toBe('away');
  });

  it('shows the first party away, else the first followed', () => {
    const counselor = { ...there, role: 'counselor' };
    const guardian = { ...left, role: 'guardian' };
    expect(shownParty([counselor, guardian])).toBe(guardian);
    expect(shownParty([counselor, { ...there, role: 'guardian' }])).toBe(counselor);
    expect(shownParty([])).toBe(NOBODY);
  });

  it("follows each role the start waits for but the page's own, other students in a group, and one other party for tokens without roles", () => {
    expect(followedRoles(['student', 'counselor', 'guardian'], 'student')).toEqual(['counselor', 'guardian']);
    expect(followedRoles(['student', 'counselor', 'guardian'], 'guardian')).toEqual(['student', 'counselor']);
    expect(followedRoles(['student', 'counselor'], 'counselor')).toEqual(['student']);
    expect(followedRoles(['counselor', 'student', 'student'], 'student')).toEqual(['counselor', 'student']);
    expect(followedRoles([], undefined)).toEqual(['']);
    // An observer is never awaited; an observer's own page follows everyone the start waits for.
    expect(followedRoles(['student', 'counselor'], 'observer')).toEqual(['student', 'counselor']);
  });
});

describe('the other party with a presence heartbeat', () => {
  it('a silent heartbeat is a drop, with or without media and before any rating (an early freeze, the camera off)', () => {
    const state = follow([[sighting({ ratedFine: false, camera: false, heartbeat: 'live' }), T0 + 500], [sighting({ ratedFine: false, camera: false, heartbeat: 'silent' }), T0 + 6_000]]);
    expect(state.party).toMatchObject({ present: true, dropped: true, awaySince: T0 + 6_000 });
  });

  it('a live heartbeat clears the drop at once, though LiveKit still rates the connection lost', () => {
    const dropped = follow([[sighting({ heartbeat: 'live' }), T0 + 500], [sighting({ ratedFine: false, ratedLost: true, heartbeat: 'silent' }), T0 + 10_000]]);
    expect(dropped.party.dropped).toBe(true);
    const back = followParty(dropped, sighting({ ratedFine: false, ratedLost: true, heartbeat: 'live' }), inCall(T0 + 20_000));
    expect(back.party).toMatchObject({ present: true, dropped: false, awaySince: null });
  });

  it('a participant never heard falls back on the rating (an older widget)', () => {
    const state = follow([[sighting({ heartbeat: 'none' }), T0 + 500], [sighting({ ratedFine: false, ratedLost: true, heartbeat: 'none' }), T0 + 2_000]]);
    expect(state.party.dropped).toBe(true);
  });
});
