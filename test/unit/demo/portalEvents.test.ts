// The demo portal receives the service's events (signed per Standard Webhooks) and passes them
// on to its open pages as server-sent events; anything unsigned or signed with another secret is
// refused and reaches no page.
import os from 'node:os';
import { Webhook } from 'standardwebhooks';
import { startPortal, type Portal } from '../../../demo/portalServer';

const SECRET = `whsec_${Buffer.from('demo-portal-secret-0123456789ab').toString('base64')}`;
let portal: Portal;

beforeEach(async () => {
  portal = await startPortal({ clinicApiUrl: 'http://127.0.0.1:9', clinicApiToken: 'unused', widgetDir: os.tmpdir(), webhookSecret: SECRET });
});

afterEach(async () => {
  await portal.stop();
});

async function post(secret: string, payload: object) {
  const body = JSON.stringify(payload);
  const id = (payload as { id: string }).id;
  const at = new Date();
  const headers = { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(secret).sign(id, at, body) };
  return (await fetch(`${portal.url}/hooks`, { method: 'POST', headers, body })).status;
}

test('a signed event reaches the listening page; a forged one is refused and reaches nobody', async () => {
  const controller = new AbortController();
  const stream = await fetch(`${portal.url}/api/events`, { signal: controller.signal });
  expect(stream.headers.get('content-type')).toBe('text/event-stream');
  const reader = (stream.body as ReadableStream<Uint8Array>).getReader();
  const event = { v: 1, id: 'evt_1', type: 'session.started', sessionId: 'ses_1', occurredAt: new Date().toISOString(), data: {} };

  expect(await post(`whsec_${Buffer.from('some-other-secret-entirely-0000').toString('base64')}`, { ...event, id: 'evt_forged' })).toBe(401);
  expect(await post(SECRET, event)).toBe(204);

  let text = '';
  while (!text.includes('"evt_1"')) text += new TextDecoder().decode((await reader.read()).value);
  expect(text).not.toContain('evt_forged');
  const line = text.split('\n').find((entry) => entry.startsWith('data: ')) as string;
  expect(JSON.parse(line.slice('data: '.length))).toEqual({ id: 'evt_1', type: 'session.started', sessionId: 'ses_1', occurredAt: event.occurredAt });
  controller.abort();
});
