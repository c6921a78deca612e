// A method a path does not take, on the real express app (no servers needed): 405 with `Allow`
// naming the methods its routes take, for the clinic API, the webhook intake and the ops routes
// alike; OPTIONS answers with the same list; a path no route serves stays 404.
import { allowedMethods } from '../../../webhook-service/http/methodNotAllowed';
import { appOnFakes, CLINIC_TOKEN as TOKEN, serveAppOnFakes } from './appOnFakes';

const auth = { authorization: `Bearer ${TOKEN}` };

const serve = () => serveAppOnFakes();

let app: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  app = await serve();
});
afterAll(() => app.close());

test.each([
  ['DELETE', '/v1/sessions', 'GET, HEAD, POST'],
  ['PUT', '/v1/sessions/ses_abc', 'GET, HEAD'],
  ['GET', '/v1/sessions/ses_abc/token', 'POST'],
  ['PATCH', '/v1/webhook-deliveries/dlv_abc/retry', 'POST'],
  ['GET', '/v1/participant/end', 'POST'],
  ['GET', '/livekit/webhook', 'POST'],
  ['POST', '/healthz', 'GET, HEAD'],
  ['DELETE', '/openapi.json', 'GET, HEAD'],
])('when %s %s, then 405 with Allow: %s', async (method, path, allow) => {
  const response = await fetch(`${app.url}${path}`, { method, headers: auth });
  expect(response.status).toBe(405);
  expect(response.headers.get('allow')).toBe(allow);
  expect(await response.json()).toEqual({ error: { code: 'method_not_allowed', message: expect.stringContaining(allow) } });
});

test.each([
  ['/v1/sessions/ses_abc/cancel', 'POST'],
  ['/healthz', 'GET, HEAD'],
  ['/openapi.json', 'GET, HEAD'],
])('when OPTIONS asks %s, then a success with Allow: %s', async (path, allow) => {
  const response = await fetch(`${app.url}${path}`, { method: 'OPTIONS', headers: auth });
  expect([200, 204]).toContain(response.status);
  expect(response.headers.get('allow')).toBe(allow);
});

test('when a path no route serves is asked, whatever the method, then 404 route_not_found', async () => {
  for (const method of ['GET', 'POST', 'DELETE', 'OPTIONS']) {
    const response = await fetch(`${app.url}/v1/appointments`, { method, headers: auth });
    expect(response.status).toBe(404);
    expect(response.headers.get('allow')).toBeNull();
    expect(await response.json()).toEqual({ error: { code: 'route_not_found', message: 'no such route' } });
  }
});

test('when the clinic key is missing, then a wrong method is refused as unauthorized first (nothing about the API is told)', async () => {
  const response = await fetch(`${app.url}/v1/sessions`, { method: 'DELETE' });
  expect(response.status).toBe(401);
});

test('the methods are read from the routes themselves, mounted routers included', () => {
  const { app: express } = appOnFakes();
  expect(allowedMethods(express, '/v1/sessions/ses_abc/audit')).toEqual(['GET', 'HEAD']);
  expect(allowedMethods(express, '/v1/sessions/ses_abc/audit/extra')).toEqual([]);
  expect(allowedMethods(express, '/nowhere')).toEqual([]);
});
