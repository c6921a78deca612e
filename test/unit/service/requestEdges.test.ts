// Edges of the HTTP boundary on the real express app, built on fakes (no server needed): a badly
// encoded path parameter and a body the client abandons are the client's fault (4xx, logged as
// refused, never as a failure); the webhook signature's clock tolerance is a setting; a LiveKit
// API URL given as http(s) still hands browsers a ws(s) URL.
import { createHash, createHmac } from 'node:crypto';
import net from 'node:net';
import pino from 'pino';
import { browserUrl } from '../../../webhook-service/livekit/joinTokens';
import { liveKitWebhookVerifier } from '../../../webhook-service/livekit/webhookVerifier';
import { ServiceError } from '../../../webhook-service/errors';
import { InMemoryAuditTrail } from '../../support/fakes/fakes';
import { world } from './usecases/world';
import { CLINIC_TOKEN as TOKEN, serveAppOnFakes } from './appOnFakes';


async function serve() {
  const lines: { level: number; msg: string; status?: number }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { lines, ...(await serveAppOnFakes({ logger })) };
}

test('a badly encoded path parameter is a 400, not a 500', async () => {
  const app = await serve();
  const response = await fetch(`${app.url}/v1/sessions/%E0%A4%A`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(response.status).toBe(400);
  expect(await response.json()).toMatchObject({ error: { code: 'invalid_request' } });
  await app.close();
});

test('a body the client abandons half-way is refused as its fault, never logged as a failure', async () => {
  const app = await serve();
  for (const path of ['/v1/sessions', '/livekit/webhook']) {
    await new Promise<void>((resolve) => {
      const socket = net.connect(app.port, '127.0.0.1', () => {
        socket.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"roomName":`);
        setImmediate(() => socket.destroy());
      });
      socket.on('close', () => resolve());
    });
  }
  const deadline = Date.now() + 5000;
  while (app.lines.filter((line) => line.msg === 'request refused').length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(app.lines.filter((line) => line.msg === 'request refused').map((line) => line.status)).toEqual([400, 400]);
  expect(app.lines.filter((line) => line.msg === 'request failed')).toEqual([]);
  await app.close();
});

describe('webhook signature clock tolerance', () => {
  const key = 'tolerance-key';
  const secret = 'tolerance-secret-tolerance-secret';
  const body = '{"event":"room_started","id":"EV_t","room":{"name":"r"},"createdAt":"1"}';
  const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');
  /** A LiveKit-style token whose clock runs `skewSeconds` behind ours (it expired that long ago, counting a 0 s lifetime). */
  function signedBySkewedClock(skewSeconds: number): string {
    const now = Math.floor(Date.now() / 1000) - skewSeconds;
    const sha256 = createHash('sha256').update(body).digest('base64');
    const header = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const payload = b64(JSON.stringify({ iss: key, nbf: now, exp: now, sha256 }));
    return `${header}.${payload}.${b64(createHmac('sha256', secret).update(`${header}.${payload}`).digest())}`;
  }

  test('a token from a clock 5 s behind passes the default 10 s, and fails with 0', async () => {
    await expect(liveKitWebhookVerifier(key, secret).verify(body, signedBySkewedClock(5))).resolves.toMatchObject({ event: 'room_started' });
    await expect(liveKitWebhookVerifier(key, secret, { clockToleranceSeconds: 0 }).verify(body, signedBySkewedClock(5))).rejects.toMatchObject({ code: 'webhook_unauthorized' });
  });

  test('a token from a clock 30 s behind fails the default, and passes a tolerance of 60', async () => {
    await expect(liveKitWebhookVerifier(key, secret).verify(body, signedBySkewedClock(30))).rejects.toMatchObject({ code: 'webhook_unauthorized' });
    await expect(liveKitWebhookVerifier(key, secret, { clockToleranceSeconds: 60 }).verify(body, signedBySkewedClock(30))).resolves.toMatchObject({ event: 'room_started' });
  });
});

test('a LiveKit URL given as http(s) hands browsers ws(s)', () => {
  expect(browserUrl('https://livekit.clinic.example')).toBe('wss://livekit.clinic.example');
  expect(browserUrl('http://127.0.0.1:7880')).toBe('ws://127.0.0.1:7880');
  expect(browserUrl('wss://livekit.clinic.example/path')).toBe('wss://livekit.clinic.example/path');
  expect(browserUrl('HTTPS://LIVEKIT.example')).toBe('wss://LIVEKIT.example');
});

test("each clinic API call is logged with the key's name, never its secret", async () => {
  const app = await serve();
  await fetch(`${app.url}/v1/sessions/ses_unknown`, { headers: { authorization: `Bearer ${TOKEN}` } });
  const deadline = Date.now() + 2000;
  while (!app.lines.some((line) => line.msg === 'clinic API call') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(app.lines.find((line) => line.msg === 'clinic API call')).toMatchObject({ clinicKey: 'default', method: 'GET', path: '/v1/sessions/ses_unknown', status: 404 });
  expect(JSON.stringify(app.lines)).not.toContain(TOKEN);
  await app.close();
});

describe('the audit trail', () => {
  async function servedWith(audit: InMemoryAuditTrail) {
    const { url, close } = await serveAppOnFakes({ deps: { ...world(), audit }, keyName: 'portal-a' });
    const call = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: response.status, json: await response.json() };
    };
    return { call, close };
  }

  test('a create, a mint and a refused end are recorded with the key name, the identity and the outcome, and read newest first', async () => {
    const audit = new InMemoryAuditTrail();
    const app = await servedWith(audit);
    const created = await app.call('POST', '/v1/sessions', { studentIdentity: 'stu', counselorIdentity: 'cou' });
    expect((await app.call('POST', `/v1/sessions/${created.json.id}/token`, { identity: 'stu' })).status).toBe(200);
    expect((await app.call('POST', `/v1/sessions/${created.json.id}/end`)).status).toBe(409);
    const listed = await app.call('GET', `/v1/sessions/${created.json.id}/audit`);
    expect(listed.json.entries.map(({ keyName, action, identity, outcome }: Record<string, unknown>) => ({ keyName, action, identity, outcome }))).toEqual([
      { keyName: 'portal-a', action: 'session.end', identity: null, outcome: { status: 409, code: 'session_not_active' } },
      { keyName: 'portal-a', action: 'token.mint', identity: 'stu', outcome: { status: 200, code: null } },
      { keyName: 'portal-a', action: 'session.create', identity: null, outcome: { status: 201, code: null } },
    ]);
    await app.close();
  });

  test('a token whose mint cannot be recorded is not handed out', async () => {
    const audit = new InMemoryAuditTrail();
    const app = await servedWith(audit);
    const created = await app.call('POST', '/v1/sessions', { studentIdentity: 'stu', counselorIdentity: 'cou' });
    audit.failing = ServiceError.storeUnavailable(new Error('audit collection away'));
    const minted = await app.call('POST', `/v1/sessions/${created.json.id}/token`, { identity: 'stu' });
    expect(minted).toEqual({ status: 503, json: { error: { code: 'store_unavailable', message: 'the service cannot answer now' } } });
    await app.close();
  });
});
