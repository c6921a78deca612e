// "End session for everyone" without the element: where it POSTs, with which credentials, and
// the order of the step (the host's calls first, the POST unless prevented), through a fetch port.

import { endForEveryone, endTarget, httpSessionEnder, type EndTarget } from '../../../widget/ending';
import { WaitingRoomError } from '../../../widget/errors';

const BASE = 'https://portal.example/clinic/room.html';

describe('where the end goes', () => {
  it('the service’s endUrl wins over the page’s end-url, with the join token alone as bearer', () => {
    expect(endTarget({ token: 'jwt-1', url: 'wss://lk.example', endUrl: 'https://svc.example/v1/sessions/s1/end' }, '/elsewhere', BASE)).toEqual({
      url: 'https://svc.example/v1/sessions/s1/end',
      init: { method: 'POST', headers: { accept: 'application/json', authorization: 'Bearer jwt-1' }, credentials: 'omit' },
    });
  });

  it('the page’s end-url, resolved against the page, with the bearer and the page’s cookie', () => {
    expect(endTarget({ token: 'jwt-1', url: 'wss://lk.example' }, '../api/end', BASE)).toEqual({
      url: 'https://portal.example/api/end',
      init: { method: 'POST', headers: { accept: 'application/json', authorization: 'Bearer jwt-1' }, credentials: 'same-origin' },
    });
    // A borrowed Room has no credentials of the widget's: no bearer.
    expect(endTarget(null, '/api/end', BASE)?.init.headers).toEqual({ accept: 'application/json' });
  });

  it('nowhere without either', () => {
    expect(endTarget({ token: 'jwt-1', url: 'wss://lk.example' }, null, BASE)).toBeNull();
    expect(endTarget(null, '', BASE)).toBeNull();
  });
});

describe('the confirmed end', () => {
  const target: EndTarget = { url: 'https://portal.example/api/end', init: { method: 'POST', headers: {}, credentials: 'same-origin' } };

  it('waits for the host’s calls, then POSTs; a refusal is end-failed with the status', async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const hostCall = new Promise<void>((resolve) => (release = resolve)).then(() => order.push('host'));
    const ender = httpSessionEnder(async (url, init) => {
      order.push(`${init.method} ${url}`);
      return { ok: false, status: 403 };
    });
    const running = endForEveryone({ hostCalls: [hostCall], proceed: true, target: () => target }, ender);
    release();
    await expect(running).rejects.toMatchObject({ code: 'end-failed', message: 'The end-url answered HTTP 403.' });
    expect(order).toEqual(['host', 'POST https://portal.example/api/end']);
  });

  it('sends nothing when a listener prevented it, or there is nowhere to send', async () => {
    const sent: string[] = [];
    const ender = async (t: EndTarget) => void sent.push(t.url);
    await endForEveryone({ hostCalls: [], proceed: false, target: () => target }, ender);
    await endForEveryone({ hostCalls: [], proceed: true, target: () => null }, ender);
    expect(sent).toEqual([]);
    await endForEveryone({ hostCalls: [], proceed: true, target: () => target }, httpSessionEnder(async () => ({ ok: true, status: 204 })));
  });

  it('a failed host call, a network error or a bad URL are one end-failed error with the cause', async () => {
    const cause = new Error('the portal could not end the session');
    const failures = [
      endForEveryone({ hostCalls: [Promise.reject(cause)], proceed: false, target: () => target }, async () => undefined),
      endForEveryone({ hostCalls: [], proceed: true, target: () => target }, httpSessionEnder(() => Promise.reject(new TypeError('Failed to fetch')))),
      endForEveryone({ hostCalls: [], proceed: true, target: () => endTarget(null, 'http://[bad', BASE) }, async () => undefined),
    ];
    for (const failure of failures) {
      const error = await failure.then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(WaitingRoomError);
      expect(error).toMatchObject({ code: 'end-failed', message: 'The session could not be ended.' });
    }
    expect(await failures[0]?.catch((e: WaitingRoomError) => e.cause)).toBe(cause);
  });
});
