// Example scenarios for the session rules: the cases people ask about, one test each.

import { attendance } from '../../../plugin/attendance';
import {
  decide,
  newSession,
  replay,
  withRecordedDecisions,
  type Effect,
  type NewSessionOptions,
  type SessionInput,
  type SessionState,
} from '../../../plugin/session';
import type { SessionEvent } from '../../../plugin/events';
import { ROLE_ATTRIBUTE } from '../../../plugin/roles';
import {
  COUNSELOR,
  STUDENT,
  aborted,
  appointment,
  cancelRequested,
  endRequested,
  graceExpired,
  joined,
  left,
  noShowDue,
  roomFinished,
  roomStarted,
} from './builders';

const SESSION = 'sess-1';
const GRACE = 60_000;
const lifecycle = { rejoinGraceMs: GRACE, noShowAfterMs: 30_000 };
const fresh = (options: NewSessionOptions = {}) => newSession(SESSION, appointment, { lifecycle, ...options });

/** Feeds inputs one by one, keeping every step's effects and refusals. */
function run(inputs: SessionInput[], state: SessionState = fresh()) {
  const steps: Effect[][] = [];
  const refusals: (string | undefined)[] = [];
  for (const input of inputs) {
    const result = decide(state, input);
    state = result.state;
    steps.push(result.effects);
    refusals.push(result.refusal);
  }
  return { state, steps, refusals, effects: steps.flat() };
}

const activeSession = () => run([joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 2_000)]).state;

describe('a session starts by itself', () => {
  test('student first, then counselor: it turns active when the counselor connects', () => {
    const { state, steps } = run([joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 5_250)]);
    expect(steps[0]).toEqual([{ type: 'waiting', sessionId: SESSION, identity: STUDENT, role: 'student', since: 1_000, missing: [{ identity: COUNSELOR, role: 'counselor' }] }]);
    expect(steps[1]).toEqual([{ type: 'activate', sessionId: SESSION, startedAt: 5_250 }]);
    expect(state.status).toBe('active');
    expect(state.actualStart).toBe(5_250);
  });

  test('counselor first, then student: it turns active when the student connects', () => {
    const { state, steps } = run([joined(COUNSELOR, 'PA_c1', 2_000), joined(STUDENT, 'PA_s1', 7_400)]);
    expect(steps[0]).toEqual([{ type: 'waiting', sessionId: SESSION, identity: COUNSELOR, role: 'counselor', since: 2_000, missing: [{ identity: STUDENT, role: 'student' }] }]);
    expect(steps[1]).toEqual([{ type: 'activate', sessionId: SESSION, startedAt: 7_400 }]);
    expect(state.actualStart).toBe(7_400);
  });

  test('a student alone waits, and so does a counselor alone', () => {
    expect(run([joined(STUDENT, 'PA_s1', 1_000)]).state.status).toBe('waiting');
    expect(run([joined(COUNSELOR, 'PA_c1', 1_000)]).state.status).toBe('waiting');
  });

  test('a student who reloads before the counselor arrives still starts the session on arrival', () => {
    const { state, effects } = run([
      joined(STUDENT, 'PA_s1', 1_000),
      left(STUDENT, 'PA_s1', 3_000),
      joined(STUDENT, 'PA_s2', 4_100),
      joined(COUNSELOR, 'PA_c1', 6_000),
    ]);
    expect(effects.filter((effect) => effect.type === 'activate')).toEqual([{ type: 'activate', sessionId: SESSION, startedAt: 6_000 }]);
    expect(attendance(state)[0]).toEqual({
      identity: STUDENT,
      role: 'student',
      connected: true,
      firstJoinedAt: 1_000,
      lateSeconds: null,
      intervals: [
        { joinedAt: 1_000, leftAt: 3_000 },
        { joinedAt: 4_100, leftAt: null },
      ],
    });
  });

  test('a student who left before the counselor arrived does not start the session', () => {
    const { state } = run([joined(STUDENT, 'PA_s1', 1_000), left(STUDENT, 'PA_s1', 3_000), joined(COUNSELOR, 'PA_c1', 6_000)]);
    expect(state.status).toBe('waiting');
    expect(state.actualStart).toBeNull();
  });

  test('a reload after the start keeps the session active and tells the new device it is active', () => {
    const { state, steps } = run([
      joined(STUDENT, 'PA_s1', 1_000),
      joined(COUNSELOR, 'PA_c1', 2_000),
      left(STUDENT, 'PA_s1', 10_000),
      joined(STUDENT, 'PA_s2', 11_500),
    ]);
    expect(steps[2]).toEqual([]);
    expect(steps[3]).toEqual([{ type: 'notify_active', sessionId: SESSION, identity: STUDENT, sid: 'PA_s2', startedAt: 2_000 }]);
    expect(state.status).toBe('active');
    expect(state.actualStart).toBe(2_000);
  });
});

describe('the session belongs to the clinic, not to the LiveKit room', () => {
  test('an early student who steps away and lets the room close still starts the session when both are back', () => {
    const { state, effects } = run([
      joined(STUDENT, 'PA_s1', 1_000),
      left(STUDENT, 'PA_s1', 3_000),
      roomFinished(23_000),
      joined(STUDENT, 'PA_s2', 33_000),
      joined(COUNSELOR, 'PA_c1', 40_000),
    ]);
    expect(state.status).toBe('active');
    expect(state.actualStart).toBe(40_000);
    expect(effects.filter((effect) => effect.type === 'close')).toEqual([]);
  });

  test('before the start, room_finished closes the open presences and the session keeps waiting', () => {
    const { state, steps } = run([joined(STUDENT, 'PA_s1', 1_000), roomFinished(60_000)]);
    expect(steps[1]).toEqual([]);
    expect(state.status).toBe('waiting');
    expect(state.presences['PA_s1']).toMatchObject({ leftAt: 60_000, outcome: 'left' });
  });

  test('after the start, room_finished closes the presences and starts the rejoin grace, never the end', () => {
    const { state, steps } = run([joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 2_000), roomFinished(60_000)]);
    expect(steps[2]).toEqual([{ type: 'await_return', sessionId: SESSION, lastLeftAt: 60_000, dueAt: 60_000 + GRACE }]);
    expect(state.status).toBe('active');
    expect(attendance(state).every((entry) => !entry.connected && entry.intervals.every((span) => span.leftAt === 60_000))).toBe(true);
  });

  test('a join after a room_finished belongs to the next room and stays open', () => {
    const { state } = run([joined(STUDENT, 'PA_s1', 1_000), roomFinished(10_000), joined(STUDENT, 'PA_s2', 20_000)]);
    expect(state.presences['PA_s2']).toMatchObject({ leftAt: null, outcome: 'connected' });
    expect(state.connected.student).toBe(1);
  });

  test('room_started changes no status and asks for nothing', () => {
    const { state, effects } = run([roomStarted(500)]);
    expect(state.status).toBe('waiting');
    expect(effects).toEqual([]);
  });
});

describe('the rejoin grace', () => {
  test('when both leave, the session waits for either to come back until the grace runs out', () => {
    const { state, steps } = run([
      joined(STUDENT, 'PA_s1', 1_000),
      joined(COUNSELOR, 'PA_c1', 2_000),
      left(STUDENT, 'PA_s1', 30_000),
      left(COUNSELOR, 'PA_c1', 31_000),
    ]);
    expect(steps[2]).toEqual([]);
    expect(steps[3]).toEqual([{ type: 'await_return', sessionId: SESSION, lastLeftAt: 31_000, dueAt: 31_000 + GRACE }]);
    expect(state.status).toBe('active');
    expect(state.connected).toEqual({ student: 0, counselor: 0, guest: 0 });
  });

  test('the grace timer ends the session at the moment the last of them left', () => {
    const idle = run([joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 2_000), left(STUDENT, 'PA_s1', 30_000), left(COUNSELOR, 'PA_c1', 31_000)]).state;
    const { state, effects } = decide(idle, graceExpired(31_000 + GRACE + 5_000));
    expect(effects).toEqual([{ type: 'close', sessionId: SESSION, status: 'ended', reason: 'timeout', at: 96_000, startedAt: 2_000, endedAt: 31_000 }]);
    expect(state).toMatchObject({ status: 'ended', endReason: 'timeout', actualEnd: 31_000, closedAt: 96_000 });
  });

  test('a return within the grace makes the timer change nothing', () => {
    const back = run([
      joined(STUDENT, 'PA_s1', 1_000),
      joined(COUNSELOR, 'PA_c1', 2_000),
      left(STUDENT, 'PA_s1', 30_000),
      left(COUNSELOR, 'PA_c1', 31_000),
      joined(COUNSELOR, 'PA_c2', 50_000),
    ]).state;
    expect(decide(back, graceExpired(31_000 + GRACE)).effects).toEqual([]);
    expect(decide(back, graceExpired(31_000 + GRACE)).state.status).toBe('active');
  });

  test('a timer that fires early, or for a leave that was followed by another, does not end the session', () => {
    const idle = run([joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 2_000), left(STUDENT, 'PA_s1', 30_000), left(COUNSELOR, 'PA_c1', 31_000)]).state;
    expect(decide(idle, graceExpired(31_000 + GRACE - 1)).state.status).toBe('active');
    const later = run([joined(COUNSELOR, 'PA_c2', 40_000), left(COUNSELOR, 'PA_c2', 70_000)], idle).state;
    expect(decide(later, graceExpired(31_000 + GRACE)).state.status).toBe('active');
    expect(decide(later, graceExpired(70_000 + GRACE)).state.actualEnd).toBe(70_000);
  });

  test('a room end folded before the leave it followed does not push the last leave later', () => {
    const state = run([
      joined(STUDENT, 'PA_s1', 1_000),
      joined(COUNSELOR, 'PA_c1', 2_000),
      roomFinished(40_000),
      left(STUDENT, 'PA_s1', 30_000),
      left(COUNSELOR, 'PA_c1', 35_000),
    ]).state;
    expect(state.lastPairLeftAt).toBe(35_000);
    expect(decide(state, graceExpired(35_000 + GRACE)).state).toMatchObject({ status: 'ended', actualEnd: 35_000 });
  });

  test('a grace timer that fires before the grace of the latest leave arms itself again', () => {
    const idle = run([joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 2_000), left(STUDENT, 'PA_s1', 30_000), left(COUNSELOR, 'PA_c1', 31_000)]).state;
    expect(decide(idle, graceExpired(31_000 + GRACE - 1)).effects).toEqual([{ type: 'await_return', sessionId: SESSION, lastLeftAt: 31_000, dueAt: 31_000 + GRACE }]);
  });

  test('a waiting session has no grace: the timer does nothing before the start', () => {
    const waiting = run([joined(STUDENT, 'PA_s1', 1_000), left(STUDENT, 'PA_s1', 3_000)]).state;
    expect(decide(waiting, graceExpired(1_000_000)).effects).toEqual([]);
  });
});

describe('the clinic ends or cancels', () => {
  test('end on an active session ends it now; a second end is accepted and changes nothing', () => {
    const { state, steps, refusals } = run([endRequested(90_000), endRequested(95_000)], activeSession());
    expect(steps[0]).toEqual([{ type: 'close', sessionId: SESSION, status: 'ended', reason: 'ended', at: 90_000, startedAt: 2_000, endedAt: 90_000 }]);
    expect(steps[1]).toEqual([]);
    expect(refusals).toEqual([undefined, undefined]);
    expect(state).toMatchObject({ status: 'ended', endReason: 'ended', actualEnd: 90_000 });
  });

  test('end before the start is refused as not active', () => {
    const { state, refusals } = run([joined(STUDENT, 'PA_s1', 1_000), endRequested(5_000)]);
    expect(refusals[1]).toBe('session_not_active');
    expect(state.status).toBe('waiting');
  });

  test('cancel before the start cancels it; after the start it is refused', () => {
    const cancelled = run([joined(STUDENT, 'PA_s1', 1_000), cancelRequested(5_000), cancelRequested(6_000)]);
    expect(cancelled.steps[1]).toEqual([{ type: 'close', sessionId: SESSION, status: 'cancelled', reason: 'cancelled', at: 5_000, startedAt: null, endedAt: null }]);
    expect(cancelled.refusals).toEqual([undefined, undefined, undefined]);
    expect(run([cancelRequested(9_000)], activeSession()).refusals).toEqual(['session_active']);
  });

  test('a closed session refuses the other command with its own status', () => {
    const cancelled = run([cancelRequested(5_000)]).state;
    expect(decide(cancelled, endRequested(6_000)).refusal).toBe('session_cancelled');
    const ended = run([endRequested(9_000)], activeSession()).state;
    expect(decide(ended, cancelRequested(10_000)).refusal).toBe('session_ended');
  });

  test('a closed session asks for nothing more, whatever arrives, but attendance still completes', () => {
    const ended = run([endRequested(9_000)], activeSession()).state;
    const after = run([left(STUDENT, 'PA_s1', 9_000), joined(STUDENT, 'PA_s2', 10_000), graceExpired(10_000_000), noShowDue(10_000_000)], ended);
    expect(after.effects).toEqual([]);
    expect(after.state.status).toBe('ended');
    expect(after.state.presences['PA_s1']?.leftAt).toBe(9_000);
  });
});

describe('no-show', () => {
  const scheduled = () => fresh({ scheduledStart: 100_000 });

  test('nobody came: no-show once the window after the scheduled start has passed; a timer that fires early asks again for the due time', () => {
    const { steps, state } = run([noShowDue(129_999), noShowDue(130_000)], scheduled());
    expect(steps[0]).toEqual([{ type: 'await_no_show', sessionId: SESSION, dueAt: 130_000 }]);
    expect(steps[1]).toEqual([{ type: 'close', sessionId: SESSION, status: 'no_show', reason: 'no_show', at: 130_000, startedAt: null, endedAt: null }]);
    expect(state.status).toBe('no_show');
  });

  test('one party came: still a no-show, and attendance says who came and how late', () => {
    const { state } = run([joined(STUDENT, 'PA_s1', 112_400), left(STUDENT, 'PA_s1', 125_000), noShowDue(130_000)], scheduled());
    expect(state.status).toBe('no_show');
    expect(attendance(state).map(({ identity, firstJoinedAt, lateSeconds }) => ({ identity, firstJoinedAt, lateSeconds }))).toEqual([
      { identity: STUDENT, firstJoinedAt: 112_400, lateSeconds: 12 },
      { identity: COUNSELOR, firstJoinedAt: null, lateSeconds: null },
    ]);
  });

  test('a started session is never a no-show', () => {
    const started = run([joined(STUDENT, 'PA_s1', 101_000), joined(COUNSELOR, 'PA_c1', 102_000), noShowDue(130_000)], scheduled());
    expect(started.state.status).toBe('active');
  });

  test('a pair complete but not yet recorded as started asks for the activation instead', () => {
    const folded = run([joined(STUDENT, 'PA_s1', 101_000), joined(COUNSELOR, 'PA_c1', 102_000)], scheduled()).state;
    const recordedWaiting = withRecordedDecisions(folded, { activation: null, closure: null });
    expect(decide(recordedWaiting, noShowDue(130_000)).effects).toEqual([{ type: 'activate', sessionId: SESSION, startedAt: 102_000 }]);
  });

  test('without a scheduled start, or with the window off, there is no no-show', () => {
    expect(decide(fresh(), noShowDue(10_000_000)).effects).toEqual([]);
    const off = newSession(SESSION, appointment, { lifecycle: { rejoinGraceMs: GRACE, noShowAfterMs: null }, scheduledStart: 100_000 });
    expect(decide(off, noShowDue(10_000_000)).effects).toEqual([]);
  });
});

describe('the recorded decisions are the status', () => {
  test('a pair complete without a recorded activation is waiting, and the next event asks for the activation again', () => {
    const folded = run([joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 2_000)]).state;
    const recorded = withRecordedDecisions(folded, { activation: null, closure: null });
    expect(recorded.status).toBe('waiting');
    expect(decide(recorded, joined(STUDENT, 'PA_s2', 3_000)).effects).toContainEqual({ type: 'activate', sessionId: SESSION, startedAt: 2_000 });
  });

  test('a recorded closure stands whatever the events say', () => {
    const folded = run([joined(STUDENT, 'PA_s1', 1_000)]).state;
    const recorded = withRecordedDecisions(folded, { activation: null, closure: { status: 'cancelled', reason: 'cancelled', at: 5_000, endedAt: null } });
    const { state, effects } = decide(recorded, joined(COUNSELOR, 'PA_c1', 6_000));
    expect(state.status).toBe('cancelled');
    expect(effects).toEqual([]);
  });

  test('nobody stays connected to a closed session past its end (its last leaves may never arrive)', () => {
    const recorded = withRecordedDecisions(activeSession(), { activation: { startedAt: 2_000 }, closure: { status: 'ended', reason: 'ended', at: 9_500, endedAt: 9_000 } });
    expect(attendance(recorded).map((entry) => [entry.connected, entry.intervals])).toEqual([
      [false, [{ joinedAt: 1_000, leftAt: 9_000 }]],
      [false, [{ joinedAt: 2_000, leftAt: 9_000 }]],
    ]);
  });
});

describe('guests never start a session', () => {
  test('a student and a guest do not start it', () => {
    const { state, effects } = run([joined(STUDENT, 'PA_s1', 1_000), joined('observer-cy', 'PA_g1', 2_000)]);
    expect(state.status).toBe('waiting');
    expect(effects.map((effect) => effect.type)).toEqual(['waiting']);
    expect(state.connected).toEqual({ student: 1, counselor: 0, guest: 1 });
  });

  test('a guest whose token claims the counselor role is still a guest unless the policy trusts it', () => {
    const claim = { [ROLE_ATTRIBUTE]: 'counselor' };
    const untrusted = run([joined(STUDENT, 'PA_s1', 1_000), joined('sub-dee', 'PA_x', 2_000, claim)]);
    expect(untrusted.state.status).toBe('waiting');
    const trusted = run([joined(STUDENT, 'PA_s1', 1_000), joined('sub-dee', 'PA_x', 2_000, claim)], fresh({ policy: { trustRoleAttribute: true } }));
    expect(trusted.state.actualStart).toBe(2_000);
  });

  test('a guest joining an active session gets no notification, and guests do not hold the grace off', () => {
    const { steps } = run([joined('observer-cy', 'PA_g1', 3_000), left(STUDENT, 'PA_s1', 4_000), left(COUNSELOR, 'PA_c1', 5_000)], activeSession());
    expect(steps[0]).toEqual([]);
    expect(steps[2]).toEqual([{ type: 'await_return', sessionId: SESSION, lastLeftAt: 5_000, dueAt: 5_000 + GRACE }]);
  });
});

describe('the same identity on two devices', () => {
  test("the old device's late `left` does not disconnect the new device", () => {
    const { state } = run([
      joined(STUDENT, 'PA_phone', 1_000),
      joined(COUNSELOR, 'PA_c1', 2_000),
      joined(STUDENT, 'PA_laptop', 5_000),
      left(STUDENT, 'PA_phone', 5_000),
    ]);
    expect(state.presences['PA_laptop']?.outcome).toBe('connected');
    expect(state.presences['PA_phone']?.outcome).toBe('left');
    expect(state.connected.student).toBe(1);
    expect(attendance(state)[0]?.connected).toBe(true);
  });

  test('before the start, the new device still completes the pair after the old one is closed', () => {
    const { state } = run([
      joined(STUDENT, 'PA_phone', 1_000),
      joined(STUDENT, 'PA_laptop', 5_000),
      left(STUDENT, 'PA_phone', 5_000),
      joined(COUNSELOR, 'PA_c1', 8_000),
    ]);
    expect(state.actualStart).toBe(8_000);
  });
});

describe('aborted connections never count', () => {
  test('an aborted counselor connection does not start the session', () => {
    const { state } = run([joined(STUDENT, 'PA_s1', 1_000), aborted(COUNSELOR, 'PA_c1', 3_000)]);
    expect(state.status).toBe('waiting');
    expect(state.presences['PA_c1']).toMatchObject({ outcome: 'aborted', joinedAt: null });
  });

  test('a joined arriving after the abort of the same sid stays not connected', () => {
    const { state, steps } = run([joined(STUDENT, 'PA_s1', 1_000), aborted(COUNSELOR, 'PA_c1', 3_000), joined(COUNSELOR, 'PA_c1', 2_500)]);
    expect(steps.slice(1)).toEqual([[], []]);
    expect(state.presences['PA_c1']?.outcome).toBe('aborted');
    expect(state.connected.counselor).toBe(0);
    expect(attendance(state)[1]?.intervals).toEqual([]);
  });
});

describe('what LiveKit really delivers', () => {
  test('the same event twice changes nothing and asks for nothing', () => {
    const first = activeSession();
    const again = decide(first, joined(COUNSELOR, 'PA_c1', 2_000));
    expect(again.state).toEqual(first);
    expect(again.effects).toEqual([]);
    const idle = run([left(STUDENT, 'PA_s1', 5_000), left(COUNSELOR, 'PA_c1', 6_000)], first).state;
    expect(decide(idle, left(COUNSELOR, 'PA_c1', 6_000)).effects).toEqual([]);
  });

  test('a left that arrives before its joined leaves a closed interval that is not connected now', () => {
    const { state } = run([left(STUDENT, 'PA_s1', 8_000), joined(STUDENT, 'PA_s1', 2_000)]);
    expect(state.presences['PA_s1']).toMatchObject({ joinedAt: 2_000, leftAt: 8_000, outcome: 'left' });
    expect(state.connected.student).toBe(0);
  });

  test('a late tombstoned join that overlapped the counselor activates with that past moment', () => {
    const { state, steps } = run([joined(COUNSELOR, 'PA_c1', 5_000), left(STUDENT, 'PA_s1', 8_000), joined(STUDENT, 'PA_s1', 2_000)]);
    expect(steps[1]).toEqual([]);
    expect(steps[2]).toEqual([{ type: 'activate', sessionId: SESSION, startedAt: 5_000 }]);
    expect(state.status).toBe('active');
  });

  test('a late event revealing an earlier overlap moves the actual start back without a second activation', () => {
    const { state, effects } = run([
      joined(COUNSELOR, 'PA_c1', 1_000),
      left(STUDENT, 'PA_s1', 6_000),
      joined(STUDENT, 'PA_s2', 9_000),
      joined(STUDENT, 'PA_s1', 2_000),
    ]);
    expect(effects.filter((effect) => effect.type === 'activate')).toEqual([{ type: 'activate', sessionId: SESSION, startedAt: 9_000 }]);
    expect(state.actualStart).toBe(2_000);
  });

  test('a late left can never take an activation back', () => {
    const { state } = run([joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 5_000), left(STUDENT, 'PA_s1', 3_000)]);
    expect(state.status).toBe('active');
    expect(state.actualStart).toBe(5_000);
  });

  test('a left stamped to the second before its millisecond join is clamped to the join', () => {
    const { state } = run([joined(STUDENT, 'PA_s1', 12_480), left(STUDENT, 'PA_s1', 12_000)]);
    expect(attendance(state)[0]?.intervals).toEqual([{ joinedAt: 12_480, leftAt: 12_480 }]);
  });

  test('a counselor joining in the very second the student leaves meets the student', () => {
    const { state } = run([joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 4_000), left(STUDENT, 'PA_s1', 4_000)]);
    const reordered = run([joined(STUDENT, 'PA_s1', 1_000), left(STUDENT, 'PA_s1', 4_000), joined(COUNSELOR, 'PA_c1', 4_000)]).state;
    expect(state.actualStart).toBe(4_000);
    expect(reordered.actualStart).toBe(4_000);
    expect(reordered.presences).toEqual(state.presences);
  });

  test('replay gives the same state as deciding event by event, in any order', () => {
    const events = [joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 2_000), left(STUDENT, 'PA_s1', 5_000), roomFinished(9_000)];
    expect(replay(fresh(), events)).toEqual(run(events).state);
    expect(replay(fresh(), [...events].reverse()).presences).toEqual(run(events).state.presences);
    expect(replay(fresh(), [...events].reverse()).actualStart).toBe(2_000);
  });

  test('a replay never starts on a join whose sid turns out to have aborted', () => {
    const events = [joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 1_500), aborted(COUNSELOR, 'PA_c1', 3_000)];
    expect(replay(fresh(), events).actualStart).toBeNull();
  });
});

describe('cost does not grow with history', () => {
  test('a thousand flaps of one identity fold in one pass, and the pairing looks only at the other seat', () => {
    const flaps: SessionEvent[] = [joined(COUNSELOR, 'PA_c1', 0)];
    for (let index = 0; index < 1_000; index += 1) {
      flaps.push(joined(STUDENT, `PA_s${index}`, 1_000 + index * 10_000), left(STUDENT, `PA_s${index}`, 1_000 + index * 10_000 + 5_000));
    }
    const state = replay(fresh(), flaps);
    expect(state.actualStart).toBe(1_000);
    expect(state.seats.counselor).toHaveLength(1);
    expect(attendance(state)[0]?.intervals).toHaveLength(1_000);
  });
});
