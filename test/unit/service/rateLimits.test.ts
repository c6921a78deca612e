// The rate-limit middleware on the real express app with a limiter that answers what the test
// says (the Redis limiter itself runs in test/integration/service/rateLimits.test.ts): what is
// counted, how a refusal is answered, and that a limiter that cannot answer refuses nobody.
import type { RateLimiter, RateSubject } from '../../../webhook-service/http/rateLimits';
import { createLogger } from '../../../webhook-service/logger';
import { CLINIC_TOKEN as TOKEN, serveAppOnFakes } from './appOnFakes';


class ScriptedLimiter implements RateLimiter {
  readonly asked: RateSubject[][] = [];
  constructor(private readonly answer: () => Promise<number>) {}
  take(subjects: readonly RateSubject[]): Promise<number> {
    this.asked.push([...subjects]);
    return this.answer();
  }
}

async function serve(limiter: RateLimiter) {
  const logger = createLogger('silent');
  return serveAppOnFakes({ logger, api: { rateLimits: { limiter, perAddress: 100, perKey: 10, logger } } });
}

test('a call is counted against its address and its credential, the credential by digest only', async () => {
  const limiter = new ScriptedLimiter(async () => 0);
  const app = await serve(limiter);
  expect((await fetch(`${app.url}/v1/sessions`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  expect(limiter.asked).toEqual([[{ name: expect.stringMatching(/^address:/), limit: 100 }, { name: expect.stringMatching(/^key:[A-Za-z0-9_-]{43}$/), limit: 10 }]]);
  expect(JSON.stringify(limiter.asked)).not.toContain(TOKEN);
  await app.close();
});

test('over a limit: 429 rate_limited with Retry-After in whole seconds, rounded up', async () => {
  const app = await serve(new ScriptedLimiter(async () => 1500));
  const response = await fetch(`${app.url}/v1/sessions`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(429);
  expect(response.headers.get('retry-after')).toBe('2');
  expect(await response.json()).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
  await app.close();
});

test('a limiter that cannot answer refuses nobody; the webhook intake never asks it', async () => {
  const limiter = new ScriptedLimiter(async () => {
    throw new Error('Redis away');
  });
  const app = await serve(limiter);
  expect((await fetch(`${app.url}/v1/sessions`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  const asked = limiter.asked.length;
  await fetch(`${app.url}/livekit/webhook`, { method: 'POST', headers: { 'content-type': 'application/webhook+json' }, body: '{}' });
  expect(limiter.asked).toHaveLength(asked);
  await app.close();
});
