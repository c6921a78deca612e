// The operator's endpoints on the real express app (no servers needed): /readyz answers a storm
// of probes from one cached check and turns 503 while the process drains; /metrics behind its
// token; /version; every answer carries a request id that the request's log lines name; request
// durations are counted by route pattern, never by path.
import { type AppDeps } from '../../../webhook-service/http/app';
import { createLogger } from '../../../webhook-service/logger';
import { CLINIC_TOKEN as TOKEN, serveAppOnFakes } from './appOnFakes';


async function serve(extra: Partial<AppDeps> = {}) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger('info', { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { lines, ...(await serveAppOnFakes({ logger, extra })) };
}

test('when a storm of probes hits /readyz, then LiveKit is checked once per cache interval, not once per probe', async () => {
  let livekitCalls = 0;
  const app = await serve({
    readinessCacheMs: 60_000,
    readiness: {
      livekit: async () => {
        livekitCalls += 1;
      },
    },
  });
  const answers = await Promise.all(Array.from({ length: 100 }, () => fetch(`${app.url}/readyz`).then((response) => response.status)));
  for (let index = 0; index < 50; index += 1) answers.push((await fetch(`${app.url}/readyz`)).status);
  expect(answers.every((status) => status === 200)).toBe(true);
  expect(livekitCalls).toBe(1);
  expect(await app.metrics.registry.metrics()).toMatch(/^autostart_ready 1$/m);
  await app.close();
});

test('when the cache interval has passed, then the next probe checks again', async () => {
  let calls = 0;
  const app = await serve({ readinessCacheMs: 0, readiness: { mongodb: async () => (calls += 1) } });
  await fetch(`${app.url}/readyz`);
  await fetch(`${app.url}/readyz`);
  expect(calls).toBe(2);
  await app.close();
});

test('when the process drains, then /readyz answers 503 draining while /healthz and the API still answer', async () => {
  let draining = false;
  const app = await serve({ isDraining: () => draining });
  expect((await fetch(`${app.url}/readyz`)).status).toBe(200);
  draining = true;
  const readyz = await fetch(`${app.url}/readyz`);
  expect(readyz.status).toBe(503);
  expect(await readyz.json()).toMatchObject({ status: 'draining' });
  expect(await app.metrics.registry.metrics()).toMatch(/^autostart_ready 0$/m);
  expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  expect((await fetch(`${app.url}/v1/sessions`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
  await app.close();
});

test('when /metrics has a token, then it answers 401 without it and the metrics with it; with a metrics port of its own, the main port has none', async () => {
  const withToken = await serve({ metricsAccess: { kind: 'token', token: 'metrics-token-0123456789' } });
  expect((await fetch(`${withToken.url}/metrics`)).status).toBe(401);
  expect((await fetch(`${withToken.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
  const scraped = await fetch(`${withToken.url}/metrics`, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
  expect(scraped.status).toBe(200);
  expect(await scraped.text()).toContain('autostart_webhooks_total');
  await withToken.close();
  const elsewhere = await serve({ metricsAccess: { kind: 'none' } });
  expect((await fetch(`${elsewhere.url}/metrics`)).status).toBe(404);
  await elsewhere.close();
});

test('when /version is asked, then it names the package version', async () => {
  const app = await serve({ version: { version: '9.9.9', revision: 'abcdef1' } });
  expect(await (await fetch(`${app.url}/version`)).json()).toEqual({ version: '9.9.9', revision: 'abcdef1' });
  await app.close();
});

test('when a request comes with or without an id, then the answer carries one, and its log lines name it', async () => {
  const app = await serve();
  const given = await fetch(`${app.url}/v1/sessions/nope`, { headers: { authorization: `Bearer ${TOKEN}`, 'x-request-id': 'req-from-the-portal-1' } });
  expect(given.headers.get('x-request-id')).toBe('req-from-the-portal-1');
  const fresh = await fetch(`${app.url}/v1/sessions/nope`, { headers: { authorization: `Bearer ${TOKEN}`, 'x-request-id': 'not safe to log\n' } });
  const freshId = fresh.headers.get('x-request-id');
  expect(freshId).toMatch(/^[0-9a-f-]{36}$/);
  const logged = app.lines.filter((line) => line.msg === 'clinic API call' || line.msg === 'request refused').map((line) => line.requestId);
  expect(logged).toContain('req-from-the-portal-1');
  expect(logged).toContain(freshId);
  expect(logged.every((id) => typeof id === 'string')).toBe(true);
  await app.close();
});

test('when requests are timed, then the route label is the pattern, never the path with its ids', async () => {
  const app = await serve();
  await fetch(`${app.url}/v1/sessions/ses_one`, { headers: { authorization: `Bearer ${TOKEN}` } });
  await fetch(`${app.url}/v1/sessions/ses_two`, { headers: { authorization: `Bearer ${TOKEN}` } });
  await fetch(`${app.url}/no/such/route`);
  const text = await app.metrics.registry.metrics();
  expect(text).toMatch(/autostart_http_request_duration_seconds_count\{method="GET",route="\/v1\/sessions\/:[A-Za-z]+",status="404"\} 2/);
  expect(text).toMatch(/autostart_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1/);
  expect(text).not.toContain('ses_one');
  await app.close();
});
