// Property-based tests of the generalised start rule: appointments of up to 16 people in any
// roles (required or not, observers, groups with a quorum or a scheduled start), joins and leaves
// in any order with LiveKit's duplicates, checked against the oracle of rosters.ts.

import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { SessionEvent } from '../../../plugin/events';
import { decide, holdersConnected, newSession, pendingTimers, replay, type Effect, type SessionInput, type SessionState } from '../../../plugin/session';
import { firstMomentStarted, groupTruthArbitrary, holdsSession, type GroupTruth } from './rosters';
import { deliveryOf, liveKitOrder } from './traces';

const TRACES = 3_000;
const SESSION = 'sess-roster';
const lifecycle = { rejoinGraceMs: 20_000, noShowAfterMs: 60_000 };

const start = (truth: GroupTruth) =>
  newSession(SESSION, truth.appointment, { policy: { trustRoleAttribute: truth.trustRoleAttribute }, lifecycle, scheduledStart: truth.scheduledStart });

/**
 * The group's `start_due` timer, after every event that happened by its time (LiveKit sends a
 * room's events in order, so what the timer decides on is all in), anywhere later for a
 * scrambled delivery (`position`), right after them for LiveKit's order (null).
 */
function withStartDue(truth: GroupTruth, events: readonly SessionEvent[], position: number | null): SessionInput[] {
  const inputs: SessionInput[] = [...events];
  const due = truth.startDueAt;
  if (due === null) return inputs;
  const settled = inputs.reduce((last, input, index) => (input.at <= due ? index + 1 : last), 0);
  const at = position === null ? settled : settled + (position % (inputs.length - settled + 1));
  inputs.splice(at, 0, { kind: 'start_due', at: due });
  return inputs;
}

function deliver(truth: GroupTruth, inputs: readonly SessionInput[]) {
  let state = start(truth);
  const effects: Effect[] = [];
  for (const input of inputs) {
    const step = decide(state, input);
    for (const effect of step.effects) {
      if (effect.type !== 'await_return') continue;
      assert.equal(holdersConnected(step.state), 0, 'a grace with someone holding the session connected');
      const holding = Object.values(step.state.presences).filter((presence) => presence.outcome === 'connected' && holdsSession(truth, presence.identity));
      assert.deepEqual(holding, [], 'a grace while someone holding the session is connected');
    }
    state = step.state;
    effects.push(...step.effects);
  }
  return { state, effects };
}

/** Everything but the order of each seat's sids, which carries no meaning. */
function comparable(state: SessionState) {
  const seats: Record<string, string[]> = {};
  for (const [seat, sids] of Object.entries(state.seats)) seats[seat] = [...sids].sort();
  return { ...state, seats };
}

function check(truth: GroupTruth, run: ReturnType<typeof deliver>, inLiveKitOrder: boolean) {
  const started = firstMomentStarted(truth);
  const activations = run.effects.filter((effect) => effect.type === 'activate');
  assert.ok(activations.length <= 1, 'activated more than once');
  assert.equal(activations.length, started === null ? 0 : 1, 'activation does not match the oracle');
  assert.equal(run.state.actualStart, started, 'actualStart is not the first moment the rule held');
  for (const activation of activations) {
    if (inLiveKitOrder) assert.equal(activation.startedAt, started, 'in-order activation at the wrong moment');
    else assert.ok(activation.startedAt >= (started as number), 'activation before the rule held');
  }
  assert.equal(run.state.status, started === null ? 'waiting' : 'active', 'final status');
  assert.deepEqual(run.effects.filter((effect) => effect.type === 'close'), [], 'closed without a command or timer');

  const end = truth.finishedAt;
  const holderConnected = truth.visits.some((visit) => visit.abortAt === null && visit.leaveAt === null && end === null && holdsSession(truth, visit.identity));
  const graceArmed = pendingTimers(run.state).some((timer) => timer.kind === 'grace_expired');
  assert.equal(graceArmed, started !== null && !holderConnected, 'the grace does not follow who holds the session (observers never do)');
}

test(`the start rule holds for up to 16 people over ${TRACES} generated appointments and every delivery order`, () => {
  let checked = 0;
  let startedRuns = 0;
  let groups = 0;
  const dice = fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 64 });
  fc.assert(
    fc.property(groupTruthArbitrary, dice, dice, dice, fc.nat(), (truth, ties, firstPlan, secondPlan, timerAt) => {
      const inOrder = liveKitOrder(truth, ties);
      const runs = [
        { run: deliver(truth, withStartDue(truth, inOrder, null)), inLiveKitOrder: true },
        { run: deliver(truth, withStartDue(truth, deliveryOf(inOrder, firstPlan), timerAt)), inLiveKitOrder: false },
        { run: deliver(truth, withStartDue(truth, deliveryOf(inOrder, secondPlan), timerAt + 7)), inLiveKitOrder: false },
      ];
      for (const { run, inLiveKitOrder } of runs) check(truth, run, inLiveKitOrder);
      const first = runs[0]?.run.state as SessionState;
      for (const { run } of runs.slice(1)) assert.deepEqual(comparable(run.state), comparable(first), 'final state depends on delivery order');

      // The service's replay of what it stored, in any order, then the timer if it fired.
      let replayed = replay(start(truth), [...deliveryOf(inOrder, secondPlan)].reverse());
      if (truth.startDueAt !== null) replayed = decide(replayed, { kind: 'start_due', at: truth.startDueAt }).state;
      assert.deepEqual(comparable(replayed), comparable(first), 'a replay differs from the delivery');

      // The no-show counts only the required: it comes iff the rule never held (its timer also reaches a scheduled start).
      const noShowAt = Math.max(truth.scheduledStart, 0) + lifecycle.noShowAfterMs + 500_000;
      const noShow = decide(first, { kind: 'no_show_due', at: noShowAt }).state;
      const startedByThen = firstMomentStarted({ ...truth, startDueAt: truth.startDueAt ?? noShowAt });
      assert.equal(noShow.status, startedByThen === null ? 'no_show' : 'active', 'the no-show does not follow the rule');

      checked += 1;
      if (first.actualStart !== null) startedRuns += 1;
      if (truth.appointment.group) groups += 1;
    }),
    { numRuns: TRACES },
  );
  console.log(`start rule properties: ${checked} appointments (${groups} groups), ${startedRuns} started, ${checked * 3} deliveries`);
  expect(checked).toBe(TRACES);
  // The generator must reach both outcomes often enough for the checks to mean something.
  expect(startedRuns).toBeGreaterThan(TRACES / 10);
  expect(TRACES - startedRuns).toBeGreaterThan(TRACES / 10);
  expect(groups).toBeGreaterThan(TRACES / 10);
});
