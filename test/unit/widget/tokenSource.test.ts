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

  it('rejects an answer without a token or with a non-WebSocket url', async () => {
    const endpoint = fakeEndpoint({ POST: { status: 200, body: { token: 'jwt', url: 'http://x' } } });
    await expect(urlTokenSource('/token', null, endpoint.fetchImpl)()).rejects.toMatchObject({ code: 'token-invalid' });
    expect(() => fixedTokenSource('', 'ws://127.0.0.1:7880')).toThrow(WaitingRoomError);
  });
});
