// The doctor's verdict on the webhook path from what the intake wrote down: each failure names
// its most likely cause.
import { diagnoseWebhookPath, type WebhookPathFacts } from '../../../../webhook-service/doctor/diagnoseWebhookPath';
import type { ProbeObservation } from '../../../../webhook-service/probe/probeRooms';

const joinedAt = 1_800_000_000_000;
const facts = (observations: ProbeObservation[], extra: Partial<WebhookPathFacts> = {}): WebhookPathFacts => ({
  observations,
  joinedAt,
  waitedMs: 20_000,
  serviceUrl: 'http://127.0.0.1:8080',
  serviceAnswers: true,
  clockOffsetSeconds: 0.2,
  clockToleranceSeconds: 10,
  ...extra,
});
const seen = (overrides: Partial<ProbeObservation>): ProbeObservation => ({
  event: 'participant_joined',
  outcome: 'ignored',
  signedWith: 'APIlive',
  verifiedWith: 'APIlive',
  createdAt: joinedAt / 1000,
  receivedAt: joinedAt + 180,
  ...overrides,
});

test('when a signed participant_joined was taken, then the path is ok and says how long it took', () => {
  expect(diagnoseWebhookPath(facts([seen({ event: 'room_started' }), seen({})]))).toMatchObject({ status: 'ok', detail: expect.stringContaining('180 ms') });
});

test('when the keys differ, then the cause names the key LiveKit signs with and the variable to set', () => {
  const result = diagnoseWebhookPath(facts([seen({ outcome: 'unauthorized', verifiedWith: 'APIother' })]));
  expect(result.status).toBe('fail');
  expect(result.cause).toContain('LIVEKIT_WEBHOOK_API_KEY=APIlive');
  expect(result.cause).toContain('never retries a 4xx');
});

test('when the key matches but the signature fails, then the cause is the secret, or the clocks when they are far apart', () => {
  expect(diagnoseWebhookPath(facts([seen({ outcome: 'unauthorized' })])).cause).toContain('the key matches ("APIlive") but the signature does not');
  expect(diagnoseWebhookPath(facts([seen({ outcome: 'unauthorized' })], { clockOffsetSeconds: -42 })).cause).toContain("LiveKit's clock is -42.0 s");
});

test('when the event is stale, unavailable or refused as a body, then each names its own cause', () => {
  expect(diagnoseWebhookPath(facts([seen({ outcome: 'stale', receivedAt: joinedAt + 400_000 })])).cause).toContain('400 s after LiveKit created it');
  expect(diagnoseWebhookPath(facts([seen({ outcome: 'unavailable' })])).cause).toContain('503');
  expect(diagnoseWebhookPath(facts([seen({ outcome: 'too_large' })])).cause).toContain('WEBHOOK_MAX_BYTES');
});

test('when other events arrived but no participant_joined, then the cause is the webhook filter', () => {
  expect(diagnoseWebhookPath(facts([seen({ event: 'room_started' })])).cause).toContain('filter');
});

test('when nothing arrived, then the cause is where LiveKit posts, or a service that does not answer', () => {
  expect(diagnoseWebhookPath(facts([])).cause).toContain('webhook.urls');
  expect(diagnoseWebhookPath(facts([], { serviceAnswers: false })).cause).toContain('does not answer at http://127.0.0.1:8080/healthz');
});
