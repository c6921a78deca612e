// Rate limits of /v1 against the real Redis: per credential and per address, shared by every
// instance, answered 429 with Retry-After; the webhook intake is never limited.
import { CLINIC_TOKEN, clinic, deliver, startService, testConfig, type RunningService } from './harness';
import { waitFor } from '../../support/isolation';

const running: RunningService[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

async function start(overrides: Record<string, string>, config = testConfig(overrides)): Promise<RunningService> {
  const service = await startService(config, { api: true, worker: false });
  running.push(service);
  return service;
}

const OTHER_KEY = 'other-portal-secret-0123456789';

test('when one key goes over its limit, then it gets 429 with Retry-After, and another key is still served', async () => {
  const target = await start({ RATE_LIMIT_PER_KEY_PER_MINUTE: '5', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0', CLINIC_API_KEYS: `other:${OTHER_KEY}` });
  for (let index = 0; index < 5; index += 1) expect((await clinic(target.url, 'GET', '/v1/sessions')).status).toBe(200);
  const refused = await fetch(`${target.url}/v1/sessions`, { headers: { authorization: `Bearer ${CLINIC_TOKEN}` } });
  expect(refused.status).toBe(429);
  expect(await refused.json()).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
  // 5 a minute: the next one is free in 12 s.
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(11);
  expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(12);
  expect((await clinic(target.url, 'GET', '/v1/sessions', undefined, OTHER_KEY)).status).toBe(200);
});

test('when one address sends too many calls, valid key or not, then it gets 429; other addresses behind the proxy are still served', async () => {
  const target = await start({ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '4', RATE_LIMIT_PER_KEY_PER_MINUTE: '0', TRUST_PROXY_HOPS: '1' });
  const from = (address: string, token: string) => fetch(`${target.url}/v1/sessions`, { headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': address } });
  // Guessing keys counts as much as calling with one.
  for (const token of ['guess-1', 'guess-2', 'guess-3']) expect((await from('203.0.113.7', token)).status).toBe(401);
  expect((await from('203.0.113.7', CLINIC_TOKEN)).status).toBe(200);
  const refused = await from('203.0.113.7', CLINIC_TOKEN);
  expect(refused.status).toBe(429);
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect((await from('198.51.100.2', CLINIC_TOKEN)).status).toBe(200);
});

test('when the service runs as several instances, then they count against the same limit', async () => {
  const config = testConfig({ RATE_LIMIT_PER_KEY_PER_MINUTE: '4', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0' });
  const [first, second] = [await start({}, config), await start({}, config)] as [RunningService, RunningService];
  const statuses: number[] = [];
  for (const target of [first, second, first, second, first, second]) statuses.push((await clinic(target.url, 'GET', '/v1/sessions')).status);
  expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
});

test('when the wait in Retry-After has passed, then the key is served again', async () => {
  const target = await start({ RATE_LIMIT_PER_KEY_PER_MINUTE: '60', RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '0' });
  let refusedAt = 0;
  let retryAfter = 0;
  let served = 0;
  // The key earns one more request each second: on a busy machine 61 requests can take longer
  // than a second, so the loop goes on until the refusal, and the count served is held to the
  // limit plus what the elapsed seconds earned.
  const startedAt = Date.now();
  for (let index = 0; index < 600 && refusedAt === 0; index += 1) {
    const response = await fetch(`${target.url}/v1/sessions?limit=1`, { headers: { authorization: `Bearer ${CLINIC_TOKEN}` } });
    if (response.status === 429) {
      refusedAt = Date.now();
      retryAfter = Number(response.headers.get('retry-after'));
    } else {
      served += 1;
    }
  }
  expect(served).toBeGreaterThanOrEqual(60);
  expect(served).toBeLessThanOrEqual(60 + Math.ceil((refusedAt - startedAt) / 1000));
  expect(retryAfter).toBe(1);
  await waitFor(async () => (await clinic(target.url, 'GET', '/v1/sessions?limit=1')).status === 200, { timeoutMs: 3000, intervalMs: 100 });
  expect(Date.now() - refusedAt).toBeLessThanOrEqual(retryAfter * 1000 + 1000);
});

test('when LiveKit delivers webhooks faster than any /v1 limit, then every signed one is taken', async () => {
  const target = await start({ RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '2', RATE_LIMIT_PER_KEY_PER_MINUTE: '2' });
  const answers = await Promise.all(
    Array.from({ length: 20 }, (_unused, index) =>
      deliver(target, { event: 'participant_joined', room: `no-session-${index}`, participant: { sid: `PA_rate_${index}`, identity: `someone-${index}`, attributes: {} }, joinedAtMs: Date.now() }),
    ),
  );
  expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 20 }, () => 200));
});
