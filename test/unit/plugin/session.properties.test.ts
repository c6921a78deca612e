// Property-based tests of the session rules over generated traces: ground truth -> LiveKit's
// events -> deliveries LiveKit can produce (duplicates, a left/aborted before its joined),
// checked against an oracle computed from the ground truth alone.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { attendance, decide, newSession, type Effect, type SessionState } from '../../../plugin/session';
import type { SessionEvent } from '../../../plugin/events';
import { appointment, deliveryOf, firstMomentTogether, liveKitOrder, truthArbitrary, type Truth } from './traces';

const TRACES = 10_000;
const SESSION = 'sess-prop';

function deliver(truth: Truth, events: readonly SessionEvent[]) {
  let state = newSession(SESSION, appointment, { trustRoleAttribute: truth.trustRoleAttribute });
  const effects: Effect[] = [];
  const statuses: SessionState['status'][] = [];
  for (const event of events) {
    const step = decide(state, event);
    if (state.status === 'ended') {
      assert.equal(step.state, state, 'an ended session changed');
      assert.deepEqual(step.effects, [], 'an ended session asked for effects');
    }
    state = step.state;
    effects.push(...step.effects);
    statuses.push(state.status);
  }
  return { state, effects, statuses };
}

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

  const ends = effects.filter((effect) => effect.type === 'end');
  const expectedEnds = truth.finishedAt === null ? [] : [{ type: 'end', sessionId: SESSION, endedAt: truth.finishedAt, started: together !== null }];
  assert.deepEqual(ends, expectedEnds, 'end effects');
  assert.equal(state.status, truth.finishedAt !== null ? 'ended' : together !== null ? 'active' : 'waiting', 'final status');
  assert.equal(state.actualEnd, truth.finishedAt, 'actualEnd');
  const firstEnded = statuses.indexOf('ended');
  if (firstEnded >= 0) assert.ok(statuses.slice(firstEnded).every((status) => status === 'ended'), 'ended is not final');

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
      assert.ok(state.status !== 'ended' || span.leftAt !== null, `${entry.identity} interval open after the end`);
      const previous = entry.intervals[index - 1];
      assert.ok(!previous || previous.joinedAt <= span.joinedAt, `${entry.identity} intervals unsorted`);
    });
    assert.ok(state.status !== 'ended' || !entry.connected, `${entry.identity} connected after the end`);
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
      // The whole final state, event log included, is the same for every delivery.
      for (const { run } of runs.slice(1)) assert.deepEqual(run.state, runs[0]?.run.state, 'final state depends on delivery order');
      checked += 1;
    }),
    { numRuns: TRACES },
  );
  console.log(`plugin properties: ${checked} traces checked (${checked * 3} deliveries)`);
  expect(checked).toBe(TRACES);
});
