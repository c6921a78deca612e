// Example scenarios for the session rules: the cases people ask about, one test each.

import { attendance, connectedRoles, decide, newSession, replay, type Effect, type SessionState } from '../../../plugin/session';
import type { SessionEvent } from '../../../plugin/events';
import { ROLE_ATTRIBUTE } from '../../../plugin/roles';
import { COUNSELOR, STUDENT, aborted, appointment, joined, left, roomFinished, roomStarted } from './builders';

const SESSION = 'sess-1';

/** Feeds events one by one, keeping every step's effects. */
function run(events: SessionEvent[], state: SessionState = newSession(SESSION, appointment)) {
  const steps: Effect[][] = [];
  for (const event of events) {
    const result = decide(state, event);
    state = result.state;
    steps.push(result.effects);
  }
  return { state, steps, effects: steps.flat() };
}

describe('a session starts by itself', () => {
  test('student first, then counselor: it turns active when the counselor connects', () => {
    const { state, steps } = run([joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 5_250)]);
    expect(steps[0]).toEqual([]);
    expect(steps[1]).toEqual([{ type: 'activate', sessionId: SESSION, startedAt: 5_250 }]);
    expect(state.status).toBe('active');
    expect(state.actualStart).toBe(5_250);
  });

  test('counselor first, then student: it turns active when the student connects', () => {
    const { state, steps } = run([joined(COUNSELOR, 'PA_c1', 2_000), joined(STUDENT, 'PA_s1', 7_400)]);
    expect(steps[0]).toEqual([]);
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
    expect(effects).toEqual([{ type: 'activate', sessionId: SESSION, startedAt: 6_000 }]);
    expect(attendance(state)[0]).toEqual({
      identity: STUDENT,
      role: 'student',
      connected: true,
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

  test('when both leave, the session stays active with nobody connected', () => {
    const { state, steps } = run([
      joined(STUDENT, 'PA_s1', 1_000),
      joined(COUNSELOR, 'PA_c1', 2_000),
      left(STUDENT, 'PA_s1', 30_000),
      left(COUNSELOR, 'PA_c1', 31_000),
    ]);
    expect(steps.slice(2)).toEqual([[], []]);
    expect(state.status).toBe('active');
    expect(connectedRoles(state)).toEqual({ student: 0, counselor: 0, guest: 0 });
  });
});

describe('guests never start a session', () => {
  test('a student and a guest do not start it', () => {
    const { state, effects } = run([joined(STUDENT, 'PA_s1', 1_000), joined('observer-cy', 'PA_g1', 2_000)]);
    expect(state.status).toBe('waiting');
    expect(effects).toEqual([]);
    expect(connectedRoles(state)).toEqual({ student: 1, counselor: 0, guest: 1 });
  });

  test('a guest whose token claims the counselor role is still a guest unless the policy trusts it', () => {
    const claim = { [ROLE_ATTRIBUTE]: 'counselor' };
    const untrusted = run([joined(STUDENT, 'PA_s1', 1_000), joined('sub-dee', 'PA_x', 2_000, claim)]);
    expect(untrusted.state.status).toBe('waiting');

    const trusting = newSession(SESSION, appointment, { trustRoleAttribute: true });
    const trusted = run([joined(STUDENT, 'PA_s1', 1_000), joined('sub-dee', 'PA_x', 2_000, claim)], trusting);
    expect(trusted.state.actualStart).toBe(2_000);
  });

  test('a guest joining an active session gets no notification', () => {
    const { steps } = run([joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 2_000), joined('observer-cy', 'PA_g1', 3_000)]);
    expect(steps[2]).toEqual([]);
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
    expect(connectedRoles(state).student).toBe(1);
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

describe('the room finishing ends the session', () => {
  test('room_finished without any left closes every open presence at its time', () => {
    const { state, steps } = run([joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 2_000), roomFinished(60_000)]);
    expect(steps[2]).toEqual([{ type: 'end', sessionId: SESSION, endedAt: 60_000, started: true }]);
    expect(state.status).toBe('ended');
    expect(state.actualEnd).toBe(60_000);
    expect(Object.values(state.presences).map((presence) => presence.leftAt)).toEqual([60_000, 60_000]);
    expect(attendance(state).every((entry) => !entry.connected && entry.intervals.every((span) => span.leftAt === 60_000))).toBe(true);
  });

  test('a session that never started ends with no actual start', () => {
    const { state, steps } = run([joined(STUDENT, 'PA_s1', 1_000), roomFinished(60_000)]);
    expect(steps[1]).toEqual([{ type: 'end', sessionId: SESSION, endedAt: 60_000, started: false }]);
    expect(state.actualStart).toBeNull();
    expect(attendance(state)[1]).toEqual({ identity: COUNSELOR, role: 'counselor', connected: false, intervals: [] });
  });

  test('nothing changes after the end', () => {
    const ended = run([joined(STUDENT, 'PA_s1', 1_000), roomFinished(60_000)]).state;
    const after = decide(ended, joined(COUNSELOR, 'PA_c1', 2_000));
    expect(after.state).toBe(ended);
    expect(after.effects).toEqual([]);
  });

  test('room_started is logged but changes no status and asks for nothing', () => {
    const { state, effects } = run([roomStarted(500)]);
    expect(state.status).toBe('waiting');
    expect(state.events).toHaveLength(1);
    expect(effects).toEqual([]);
  });
});

describe('aborted connections never count', () => {
  test('an aborted counselor connection does not start the session', () => {
    const { state } = run([joined(STUDENT, 'PA_s1', 1_000), aborted(COUNSELOR, 'PA_c1', 3_000)]);
    expect(state.status).toBe('waiting');
    expect(state.presences['PA_c1']).toMatchObject({ outcome: 'aborted', joinedAt: null });
  });

  test('a joined arriving after the abort of the same sid stays not connected', () => {
    const { state, effects } = run([joined(STUDENT, 'PA_s1', 1_000), aborted(COUNSELOR, 'PA_c1', 3_000), joined(COUNSELOR, 'PA_c1', 2_500)]);
    expect(effects).toEqual([]);
    expect(state.presences['PA_c1']?.outcome).toBe('aborted');
    expect(connectedRoles(state).counselor).toBe(0);
    expect(attendance(state)[1]?.intervals).toEqual([]);
  });
});

describe('what LiveKit really delivers', () => {
  test('the same event twice changes nothing and asks for nothing', () => {
    const first = run([joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 2_000)]).state;
    const again = decide(first, joined(COUNSELOR, 'PA_c1', 2_000));
    expect(again.state).toBe(first);
    expect(again.effects).toEqual([]);
  });

  test('a left that arrives before its joined leaves a closed interval that is not connected now', () => {
    const { state } = run([left(STUDENT, 'PA_s1', 8_000), joined(STUDENT, 'PA_s1', 2_000)]);
    expect(state.presences['PA_s1']).toMatchObject({ joinedAt: 2_000, leftAt: 8_000, outcome: 'left' });
    expect(connectedRoles(state).student).toBe(0);
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
    expect(effects).toEqual([{ type: 'activate', sessionId: SESSION, startedAt: 9_000 }]);
    expect(state.actualStart).toBe(2_000);
  });

  test('a late left can never take an activation back', () => {
    const { state } = run([joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 5_000), left(STUDENT, 'PA_s1', 3_000)]);
    expect(state.status).toBe('active');
    expect(state.actualStart).toBe(5_000);
  });

  test('a left stamped to the second before its millisecond join is clamped to the join', () => {
    const { state } = run([joined(STUDENT, 'PA_s1', 12_480), left(STUDENT, 'PA_s1', 12_000)]);
    expect(state.presences['PA_s1']).toMatchObject({ joinedAt: 12_480, leftAt: 12_480 });
  });

  test('a counselor joining in the very second the student leaves meets the student', () => {
    const { state } = run([joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 4_000), left(STUDENT, 'PA_s1', 4_000)]);
    const reordered = run([joined(STUDENT, 'PA_s1', 1_000), left(STUDENT, 'PA_s1', 4_000), joined(COUNSELOR, 'PA_c1', 4_000)]).state;
    expect(state.actualStart).toBe(4_000);
    expect(reordered).toEqual(state);
  });

  test('replay gives the same state as deciding event by event', () => {
    const events = [joined(STUDENT, 'PA_s1', 1_000), joined(COUNSELOR, 'PA_c1', 2_000), roomFinished(9_000)];
    expect(replay(SESSION, appointment, events)).toEqual(run(events).state);
  });
});
