// Edges of the HTTP boundary on the real express app, built on fakes (no server needed): a badly
// encoded path parameter and a body the client abandons are the client's fault (4xx, logged as
// refused, never as a failure); the webhook signature's clock tolerance is a setting; a LiveKit
// API URL given as http(s) still hands browsers a ws(s) URL.
import { createHash, createHmac } from 'node:crypto';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createApp } from '../../../webhook-service/http/app';
import { browserUrl } from '../../../webhook-service/livekit/joinTokens';
import { liveKitWebhookVerifier } from '../../../webhook-service/livekit/webhookVerifier';
import { createMetrics } from '../../../webhook-service/metrics';
import { world } from './usecases/world';

const TOKEN = 'unit-clinic-token-0123456789';

async function serve() {
  const lines: { level: number; msg: string; status?: number }[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  const deps = world();
  const app = createApp({
    logger,
    metrics: createMetrics(),
    readiness: {},
    api: {
      webhook: { maxBytes: 65536, intake: deps },
      clinic: { ...deps, clinicApiToken: TOKEN, corsOrigins: [] },
    },
  });
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const port = (server.address() as AddressInfo).port;
  return { lines, port, url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
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
