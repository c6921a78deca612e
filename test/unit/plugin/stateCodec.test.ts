// The compact form of a session's state gives back the very same state, and refuses anything else.
import fc from 'fast-check';
import { decodeFold, decodeState, encodeFold, encodeState } from '../../../plugin/stateCodec';
import { newSession, replay } from '../../../plugin/session';
import { appointment, deliveryOf, liveKitOrder, truthArbitrary } from './traces';

test('any state the rules can reach comes back whole from its compact form', () => {
  const dice = fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 24 });
  fc.assert(
    fc.property(truthArbitrary, dice, dice, (truth, ties, plan) => {
      const state = replay(newSession('ses_codec', appointment, { scheduledStart: 5 }), deliveryOf(liveKitOrder(truth, ties), plan));
      expect(decodeState(encodeState(state))).toEqual(state);
    }),
    { numRuns: 500 },
  );
});

test('a damaged or foreign text decodes to nothing', () => {
  const text = encodeState(newSession('ses_codec', appointment));
  expect(decodeState(text.slice(0, -3))).toBeNull();
  expect(decodeState('{"v":3,"rows":[],"identities":[]}')).toBeNull();
  expect(decodeState(text.replace('"v":2', '"v":1'))).toBeNull();
  expect(decodeState('null')).toBeNull();
});

test('a kept fold comes back with its count, and a damaged one or one without a count does not come back at all', () => {
  const state = newSession('ses_codec', appointment);
  expect(decodeFold(encodeFold({ state, events: 7 }))).toEqual({ state, events: 7 });
  const text = encodeFold({ state, events: 7 });
  expect(decodeFold(text.slice(0, -3))).toBeNull();
  expect(decodeFold(text.slice(text.indexOf(':')))).toBeNull();
  expect(decodeFold(`x${text}`)).toBeNull();
  expect(decodeFold(`-1${text.slice(1)}`)).toBeNull();
  expect(decodeFold(encodeState(state))).toBeNull();
});
