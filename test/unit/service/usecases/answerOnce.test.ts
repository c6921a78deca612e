// Idempotency-Key's rules on the in-memory records (the same rules run against MongoDB in
// test/integration/service/idempotency.test.ts).
import { beginIdempotent, finishIdempotent, requestFingerprint } from '../../../../webhook-service/usecases/answerOnce';
import { InMemoryIdempotencyKeys } from '../../../support/fakes/InMemoryIdempotencyKeys';
import { ManualClock } from '../../../support/fakes/fakes';
import { T0 } from './world';

const OPTIONS = { leaseMs: 30_000, waitMs: 1000, pollMs: 100 };

function setup() {
  const clock = new ManualClock(T0);
  // A waiting repeat moves the clock instead of sleeping.
  const deps = { idempotencyKeys: new InMemoryIdempotencyKeys(), clock, pause: async (ms: number) => clock.advance(ms) };
  const request = { clinicId: 'clinic-north', key: 'key-1', fingerprint: requestFingerprint('POST', '/v1/sessions', { a: 1, b: 2 }) };
  return { deps, clock, request };
}

test('the fingerprint ignores the order of object keys, not their values nor the route', () => {
  expect(requestFingerprint('POST', '/v1/sessions', { a: 1, b: { c: 2, d: 3 } })).toBe(requestFingerprint('post', '/v1/sessions', { b: { d: 3, c: 2 }, a: 1 }));
  expect(requestFingerprint('POST', '/v1/sessions', { a: 1 })).not.toBe(requestFingerprint('POST', '/v1/sessions', { a: 2 }));
  expect(requestFingerprint('POST', '/v1/sessions', { a: 1 })).not.toBe(requestFingerprint('POST', '/v1/sessions/x/end', { a: 1 }));
});

test('an answer 5xx is not kept: the next repeat runs again, with the id minted at the claim', async () => {
  const { deps, request } = setup();
  const first = await beginIdempotent(deps, request, OPTIONS);
  if (first.kind !== 'run') throw new Error('the first call runs');
  await finishIdempotent(deps, first, { status: 503, body: '{"error":{}}' });
  const second = await beginIdempotent(deps, request, OPTIONS);
  expect(second).toEqual({ kind: 'run', recordId: first.recordId, attempt: 2, mintedId: first.mintedId });
  await finishIdempotent(deps, second as { recordId: string; attempt: number }, { status: 201, body: '{"id":"x"}' });
  expect(await beginIdempotent(deps, request, OPTIONS)).toEqual({ kind: 'replay', answer: { status: 201, body: '{"id":"x"}' } });
});

test('a repeat waits for the running attempt, then gives up with idempotency_key_in_flight; after the lease it takes over', async () => {
  const { deps, clock, request } = setup();
  await beginIdempotent(deps, request, OPTIONS);
  await expect(beginIdempotent(deps, request, OPTIONS)).rejects.toMatchObject({ code: 'idempotency_key_in_flight' });
  clock.advance(OPTIONS.leaseMs);
  expect(await beginIdempotent(deps, request, OPTIONS)).toMatchObject({ kind: 'run', attempt: 2 });
});

test('two repeats after the lease: one runs the next attempt, the other waits', async () => {
  const { deps, clock, request } = setup();
  await beginIdempotent(deps, request, OPTIONS);
  clock.advance(OPTIONS.leaseMs);
  const results = await Promise.allSettled([beginIdempotent(deps, request, OPTIONS), beginIdempotent(deps, request, OPTIONS)]);
  expect(results.filter((result) => result.status === 'fulfilled' && result.value.kind === 'run')).toHaveLength(1);
});

test("keys are each clinic's own, and a key with another request is refused", async () => {
  const { deps, request } = setup();
  await beginIdempotent(deps, request, OPTIONS);
  expect(await beginIdempotent(deps, { ...request, clinicId: 'clinic-south' }, OPTIONS)).toMatchObject({ kind: 'run', attempt: 1 });
  await expect(beginIdempotent(deps, { ...request, fingerprint: requestFingerprint('POST', '/v1/sessions', { a: 9 }) }, OPTIONS)).rejects.toMatchObject({ code: 'idempotency_key_reused' });
});
