// Token sources: what a host's token endpoint may answer, through an injected fetch port.

import { WaitingRoomError } from '../../../widget/errors';
import { fixedTokenSource, urlTokenSource, type TokenRequest } from '../../../widget/tokenSource';

type Answer = { status: number; body?: unknown };

function fakeEndpoint(answers: Record<string, Answer>) {
  const calls: string[] = [];
  const requests: TokenRequest[] = [];
  const fetch = async (_url: string, init: TokenRequest) => {
    calls.push(init.method);
    requests.push(init);
    const answer = answers[init.method] ?? { status: 500 };
    return { ok: answer.status < 300, status: answer.status, json: async () => answer.body };
  };
  return { calls, requests, fetch };
}

describe('widget token sources', () => {
  it('GETs the token URL by default and returns its token and url, sending the cookie', async () => {
    const endpoint = fakeEndpoint({ GET: { status: 200, body: { token: 'jwt', url: 'ws://127.0.0.1:7880' } } });
    await expect(urlTokenSource('/token', null, { fetch: endpoint.fetch })()).resolves.toEqual({ token: 'jwt', url: 'ws://127.0.0.1:7880' });
    expect(endpoint.requests).toEqual([{ method: 'GET', headers: { accept: 'application/json' }, credentials: 'same-origin' }]);
  });

  it('uses token-method (POST, any case), fills in server-url, and never falls back to another method', async () => {
    const endpoint = fakeEndpoint({ POST: { status: 200, body: { token: 'jwt' } } });
    await expect(urlTokenSource('/token', 'wss://lk.example', { method: 'post', fetch: endpoint.fetch })()).resolves.toEqual({ token: 'jwt', url: 'wss://lk.example' });
    const refused = fakeEndpoint({ POST: { status: 405 }, GET: { status: 200, body: { token: 'jwt', url: 'wss://lk.example' } } });
    await expect(urlTokenSource('/token', null, { method: 'POST', fetch: refused.fetch })()).rejects.toMatchObject({ code: 'token-fetch-failed' });
    expect([endpoint.calls, refused.calls]).toEqual([['POST'], ['POST']]);
  });

  it('refuses a token-method other than GET or POST with a clear error', () => {
    expect(() => urlTokenSource('/token', null, { method: 'PUT' })).toThrow(new WaitingRoomError('not-configured', 'token-method must be GET or POST, not "PUT".'));
  });

  it('lets the tokenRequest hook add headers (a CSRF token) before every request', async () => {
    const endpoint = fakeEndpoint({ POST: { status: 200, body: { token: 'jwt', url: 'wss://lk.example' } } });
    let csrf = 0;
    const prepare = (request: TokenRequest): TokenRequest => ({ ...request, headers: { ...request.headers, 'x-csrf-token': `csrf-${(csrf += 1)}` } });
    const source = urlTokenSource('/token', null, { method: 'POST', prepare, fetch: endpoint.fetch });
    await source();
    await source();
    expect(endpoint.requests.map((request) => request.headers['x-csrf-token'])).toEqual(['csrf-1', 'csrf-2']);
    const failing = urlTokenSource('/token', null, { prepare: () => Promise.reject(new Error('no CSRF token on this page')), fetch: endpoint.fetch });
    await expect(failing()).rejects.toThrow('no CSRF token on this page');
  });

  it('reports a refused request with a code and the status', async () => {
    const endpoint = fakeEndpoint({ GET: { status: 403 } });
    const failure = urlTokenSource('/token', null, { fetch: endpoint.fetch })();
    await expect(failure).rejects.toBeInstanceOf(WaitingRoomError);
    await expect(failure).rejects.toMatchObject({ code: 'token-fetch-failed', message: expect.stringContaining('403') });
  });

  it("reads a 409 with the clinic API's closed-session code as the session's end, with its reason", async () => {
    const codes = { session_ended: 'ended-by-clinic', session_cancelled: 'cancelled', session_no_show: 'no-show' } as const;
    for (const [code, reason] of Object.entries(codes)) {
      const endpoint = fakeEndpoint({ GET: { status: 409, body: { error: { code, message: 'closed' } } } });
      await expect(urlTokenSource('/token', null, { fetch: endpoint.fetch })()).rejects.toMatchObject({ code: 'session-closed', reason });
    }
  });

  it('any other 409, or one without a readable body, stays a failed token request', async () => {
    for (const body of [{ error: { code: 'slot_taken' } }, 'not json', undefined]) {
      const endpoint = fakeEndpoint({ GET: { status: 409, body } });
      await expect(urlTokenSource('/token', null, { fetch: endpoint.fetch })()).rejects.toMatchObject({ code: 'token-fetch-failed', reason: undefined });
    }
  });

  it('passes on the endUrl of a counselor token answer, and refuses one that is not an http(s) URL', async () => {
    const endpoint = fakeEndpoint({ GET: { status: 200, body: { token: 'jwt', url: 'wss://lk.example', endUrl: 'https://autostart.example/v1/participant/end' } } });
    await expect(urlTokenSource('/token', null, { fetch: endpoint.fetch })()).resolves.toEqual({ token: 'jwt', url: 'wss://lk.example', endUrl: 'https://autostart.example/v1/participant/end' });
    const scripted = fakeEndpoint({ GET: { status: 200, body: { token: 'jwt', url: 'wss://lk.example', endUrl: 'javascript:alert(1)' } } });
    await expect(urlTokenSource('/token', null, { fetch: scripted.fetch })()).rejects.toMatchObject({ code: 'token-invalid' });
  });

  it('rejects an answer without a token or with a non-WebSocket url', async () => {
    const endpoint = fakeEndpoint({ GET: { status: 200, body: { token: 'jwt', url: 'http://x' } } });
    await expect(urlTokenSource('/token', null, { fetch: endpoint.fetch })()).rejects.toMatchObject({ code: 'token-invalid' });
    expect(() => fixedTokenSource('', 'ws://127.0.0.1:7880')).toThrow(WaitingRoomError);
  });
});
