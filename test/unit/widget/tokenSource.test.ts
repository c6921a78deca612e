// Token sources: what a host's token endpoint may answer, through an injected fetch port.

import { WaitingRoomError } from '../../../widget/errors';
import { fixedTokenSource, urlTokenSource } from '../../../widget/tokenSource';

type Answer = { status: number; body?: unknown };

function fakeEndpoint(answers: Record<string, Answer>) {
  const calls: string[] = [];
  const fetchImpl = async (_url: string, init: { method: string }) => {
    calls.push(init.method);
    const answer = answers[init.method] ?? { status: 500 };
    return { ok: answer.status < 300, status: answer.status, json: async () => answer.body };
  };
  return { calls, fetchImpl };
}

describe('widget token sources', () => {
  it('POSTs to the token URL and returns its token and url', async () => {
    const endpoint = fakeEndpoint({ POST: { status: 200, body: { token: 'jwt', url: 'ws://127.0.0.1:7880' } } });
    await expect(urlTokenSource('/token', null, endpoint.fetchImpl)()).resolves.toEqual({ token: 'jwt', url: 'ws://127.0.0.1:7880' });
    expect(endpoint.calls).toEqual(['POST']);
  });

  it('falls back to GET when the endpoint does not take POST, and fills in server-url', async () => {
    const endpoint = fakeEndpoint({ POST: { status: 405 }, GET: { status: 200, body: { token: 'jwt' } } });
    await expect(urlTokenSource('/token', 'wss://lk.example', endpoint.fetchImpl)()).resolves.toEqual({ token: 'jwt', url: 'wss://lk.example' });
    expect(endpoint.calls).toEqual(['POST', 'GET']);
  });

  it('reports a refused request with a code and the status', async () => {
    const endpoint = fakeEndpoint({ POST: { status: 403 } });
    const failure = urlTokenSource('/token', null, endpoint.fetchImpl)();
    await expect(failure).rejects.toBeInstanceOf(WaitingRoomError);
    await expect(failure).rejects.toMatchObject({ code: 'token-fetch-failed', message: expect.stringContaining('403') });
  });

  it("reads a 409 with the clinic API's closed-session code as the session's end, with its reason", async () => {
    const codes = { session_ended: 'ended-by-clinic', session_cancelled: 'cancelled', session_no_show: 'no-show' } as const;
    for (const [code, reason] of Object.entries(codes)) {
      const endpoint = fakeEndpoint({ POST: { status: 409, body: { error: { code, message: 'closed' } } } });
      await expect(urlTokenSource('/token', null, endpoint.fetchImpl)()).rejects.toMatchObject({ code: 'session-closed', reason });
    }
  });

  it('any other 409, or one without a readable body, stays a failed token request', async () => {
    for (const body of [{ error: { code: 'slot_taken' } }, 'not json', undefined]) {
      const endpoint = fakeEndpoint({ POST: { status: 409, body } });
      await expect(urlTokenSource('/token', null, endpoint.fetchImpl)()).rejects.toMatchObject({ code: 'token-fetch-failed', reason: undefined });
    }
  });

  it('rejects an answer without a token or with a non-WebSocket url', async () => {
    const endpoint = fakeEndpoint({ POST: { status: 200, body: { token: 'jwt', url: 'http://x' } } });
    await expect(urlTokenSource('/token', null, endpoint.fetchImpl)()).rejects.toMatchObject({ code: 'token-invalid' });
    expect(() => fixedTokenSource('', 'ws://127.0.0.1:7880')).toThrow(WaitingRoomError);
  });
});
