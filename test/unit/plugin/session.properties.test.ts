// Property-based tests of the session rules over generated traces: ground truth -> LiveKit's
// events -> deliveries LiveKit can produce (duplicates, a left/aborted before its joined),
// checked against an oracle computed from the ground truth alone; then the same traces with the
// clinic's commands and the service's timers mixed in, late and repeated.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { attendance } from '../../../plugin/attendance';
import { decide, newSession, replay, type Effect, type SessionInput, type SessionState } from '../../../plugin/session';
import { appointment, deliveryOf, firstMomentTogether, liveKitOrder, truthArbitrary, type Truth } from './traces';

const TRACES = 10_000;
const LIFECYCLE_TRACES = 3_000;
const SESSION = 'sess-prop';
const GRACE = 20_000;
const lifecycle = { rejoinGraceMs: GRACE, noShowAfterMs: 60_000 };
const CLOSED: readonly SessionState['status'][] = ['ended', 'cancelled', 'no_show'];

function deliver(truth: Truth, inputs: readonly SessionInput[]) {
  let state = newSession(SESSION, appointment, { policy: { trustRoleAttribute: truth.trustRoleAttribute }, lifecycle, scheduledStart: 0 });
  const effects: Effect[] = [];
  const statuses: SessionState['status'][] = [];
  for (const input of inputs) {
    const before = state;
    const step = decide(state, input);
    if (CLOSED.includes(before.status)) {
      assert.equal(step.state.status, before.status, 'a closed session changed status');
      assert.deepEqual(step.effects, [], 'a closed session asked for effects');
    }
    if (input.kind === 'grace_expired' || input.kind === 'no_show_due') {
      const again = decide(step.state, input);
      assert.deepEqual(again.effects.filter((effect) => effect.type === 'close'), [], 'a timer delivered twice closed twice');
      assert.equal(again.state.status, step.state.status, 'a timer delivered twice changed the status');
    }
    for (const effect of step.effects) checkEffect(before, step.state, input, effect);
    state = step.state;
    effects.push(...step.effects);
    statuses.push(state.status);
  }
  return { state, effects, statuses };
}

/** Each effect is allowed by the state it came from. */
function checkEffect(before: SessionState, after: SessionState, input: SessionInput, effect: Effect) {
  if (effect.type === 'close') {
    assert.ok(!CLOSED.includes(before.status), 'closed twice');
    if (effect.status === 'cancelled') assert.equal(before.status, 'waiting', 'cancelled after the start');
    if (effect.status === 'no_show') assert.equal(before.actualStart, null, 'a pair that met is a no-show');
    if (effect.status === 'ended') {
      assert.equal(before.status, 'active', 'ended before the start');
      assert.ok(effect.endedAt !== null && effect.startedAt !== null && effect.endedAt >= effect.startedAt, 'actualEnd before actualStart');
    }
    if (effect.reason === 'timeout') {
      assert.equal(input.kind, 'grace_expired', 'a timeout without its timer');
      assert.equal(before.connected.student + before.connected.counselor, 0, 'timed out with someone connected');
      assert.ok(input.at >= (before.lastPairLeftAt as number) + GRACE, 'timed out within the grace');
      assert.equal(effect.endedAt, before.lastPairLeftAt, 'a timeout ends when the last of the pair left');
    }
  }
  if (effect.type === 'await_return') {
    assert.equal(after.status, 'active', 'a grace outside an active session');
    assert.equal(after.connected.student + after.connected.counselor, 0, 'a grace with someone connected');
    assert.equal(effect.dueAt, effect.lastLeftAt + GRACE, 'the grace is not the configured one');
  }
}

/** What must not depend on the delivery order: everything but the seats' order. */
const comparable = (state: SessionState) => ({ ...state, seats: { student: [...state.seats.student].sort(), counselor: [...state.seats.counselor].sort() } });

function checkAgainstTruth(truth: Truth, run: ReturnType<typeof deliver>, inLiveKitOrder: boolean) {
  const { state, effects, statuses } = run;
  const together = firstMomentTogether(truth);
  const activations = effects.filter((effect) => effect.type === 'activate');

  assert.ok(activations.length <= 1, 'activated more than once');
  assert.equal(activations.length, together === null ? 0 : 1, 'activation does not match the oracle');
  assert.equal(state.actualStart, together, 'actualStart is not the first moment together');
  // Delivered in order, the activation knows the right moment at once; delivered out of order,
  // it may learn an earlier one later, never a wrong earlier one.
  for (const activation of activations) {
    if (inLiveKitOrder) assert.equal(activation.startedAt, together, 'in-order activation at the wrong moment');
    else assert.ok(activation.startedAt >= (together as number), 'activation before the first moment together');
  }

  // The room finishing closes presences only: a session never ends on LiveKit's word.
  assert.deepEqual(effects.filter((effect) => effect.type === 'close'), [], 'closed without a command or timer');
  assert.equal(state.status, together !== null ? 'active' : 'waiting', 'final status');
  assert.equal(state.actualEnd, null, 'actualEnd');
  assert.ok(statuses.every((status, index) => status !== 'waiting' || statuses[index - 1] !== 'active'), 'an active session went back to waiting');

  for (const visit of truth.visits) {
    const presence = state.presences[visit.sid];
    assert.ok(presence, `no presence for ${visit.sid}`);
    if (visit.abortAt !== null) {
      assert.equal(presence.outcome, 'aborted', `${visit.sid} aborted`);
      continue;
    }
    assert.equal(presence.joinedAt, visit.joinAt, `${visit.sid} joinedAt`);
    const leftAt = visit.leaveAt ?? truth.finishedAt;
    assert.equal(presence.leftAt, leftAt, `${visit.sid} leftAt`);
    assert.equal(presence.outcome, leftAt === null ? 'connected' : 'left', `${visit.sid} outcome`);
  }

  const present = attendance(state);
  for (const entry of present) {
    entry.intervals.forEach((span, index) => {
      assert.ok(span.leftAt === null || span.leftAt >= span.joinedAt, `${entry.identity} interval runs backwards`);
      assert.ok(truth.finishedAt === null || span.leftAt !== null, `${entry.identity} interval open after the room finished`);
      const previous = entry.intervals[index - 1];
      assert.ok(!previous || previous.joinedAt <= span.joinedAt, `${entry.identity} intervals unsorted`);
    });
    assert.ok(truth.finishedAt === null || !entry.connected, `${entry.identity} connected after the room finished`);
  }
  const spans = present.reduce((count, entry) => count + entry.intervals.length, 0);
  assert.equal(spans, truth.visits.filter((visit) => visit.abortAt === null).length, 'one interval per connected sid');
}

test(`session rules hold over ${TRACES} generated traces and every delivery order LiveKit can produce`, () => {
  let checked = 0;
  const dice = fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 48 });
  fc.assert(
    fc.property(truthArbitrary, dice, dice, dice, (truth, tieDice, firstPlan, secondPlan) => {
      const inOrder = liveKitOrder(truth, tieDice);
      const runs = [
        { run: deliver(truth, inOrder), inLiveKitOrder: true },
        { run: deliver(truth, deliveryOf(inOrder, firstPlan)), inLiveKitOrder: false },
        { run: deliver(truth, deliveryOf(inOrder, secondPlan)), inLiveKitOrder: false },
      ];
      for (const { run, inLiveKitOrder } of runs) checkAgainstTruth(truth, run, inLiveKitOrder);
      // The whole final state is the same for every delivery.
      for (const { run } of runs.slice(1)) assert.deepEqual(comparable(run.state), comparable(runs[0]?.run.state as SessionState), 'final state depends on delivery order');
      // And the same as the service's replay of what it stored, in whatever order its store returns.
      const stored = [...deliveryOf(inOrder, secondPlan)].reverse();
      const start = newSession(SESSION, appointment, { policy: { trustRoleAttribute: truth.trustRoleAttribute }, lifecycle, scheduledStart: 0 });
      assert.deepEqual(comparable(replay(start, stored)), comparable(runs[0]?.run.state as SessionState), 'a sorted replay differs from the delivery');
      checked += 1;
    }),
    { numRuns: TRACES },
  );
  console.log(`plugin properties: ${checked} traces checked (${checked * 3} deliveries)`);
  expect(checked).toBe(TRACES);
});

/** The clinic's commands and the service's timers, at instants around the trace, in any number. */
const extraInputs = fc.array(
  fc.record({
    kind: fc.constantFrom<SessionInput['kind']>('end_requested', 'cancel_requested', 'grace_expired', 'grace_expired', 'no_show_due'),
    at: fc.integer({ min: 0, max: 300_000 }),
    position: fc.nat(),
  }),
  { maxLength: 6 },
);

test(`the lifecycle holds with commands and timers mixed in, late and repeated, over ${LIFECYCLE_TRACES} traces`, () => {
  let checked = 0;
  let closedRuns = 0;
  const dice = fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 48 });
  fc.assert(
    fc.property(truthArbitrary, dice, dice, extraInputs, (truth, tieDice, plan, extras) => {
      const inputs: SessionInput[] = deliveryOf(liveKitOrder(truth, tieDice), plan);
      for (const extra of extras) {
        inputs.splice(extra.position % (inputs.length + 1), 0, { kind: extra.kind, at: extra.at } as SessionInput);
      }
      const { state, effects, statuses } = deliver(truth, inputs);
      const closes = effects.filter((effect) => effect.type === 'close');
      assert.ok(closes.length <= 1, 'closed more than once');
      const firstClosed = statuses.findIndex((status) => CLOSED.includes(status));
      if (firstClosed >= 0) {
        assert.ok(statuses.slice(firstClosed).every((status) => status === statuses[firstClosed]), 'a final status changed');
        assert.equal(closes[0]?.type === 'close' && closes[0].status, state.status, 'the close effect names the final status');
        closedRuns += 1;
      }
      if (state.actualEnd !== null) assert.ok(state.actualStart !== null && state.actualEnd >= state.actualStart, 'actualEnd before actualStart');
      checked += 1;
    }),
    { numRuns: LIFECYCLE_TRACES },
  );
  console.log(`plugin lifecycle properties: ${checked} traces checked, ${closedRuns} of them closed`);
  expect(checked).toBe(LIFECYCLE_TRACES);
  expect(closedRuns).toBeGreaterThan(LIFECYCLE_TRACES / 10);
});
