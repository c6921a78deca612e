// Where the widget gets its LiveKit credentials: a fixed token and server URL, a host function,
// or a `token-url` the host's backend answers with `{ token, url }`. The fetch is a port so the
// logic is testable without a network.

import { WaitingRoomError } from './errors';
import type { EndReason } from './sessionState';

export interface ConnectionDetails {
  /** LiveKit access token (JWT) for this participant. */
  token: string;
  /** LiveKit server URL, ws:// or wss://. */
  url: string;
}

/** Called on every (re)connect attempt, so a host can mint a fresh token each time. */
export type TokenSource = () => Promise<ConnectionDetails>;

type Fetch = (input: string, init: { method: string; headers: Record<string, string>; credentials: 'same-origin' }) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

/** The clinic API's codes for a token refused because the session closed, as the portal passes them on. */
const CLOSED_CODES: Record<string, EndReason> = { session_ended: 'ended-by-clinic', session_cancelled: 'cancelled', session_no_show: 'no-show' };

async function closedReason(response: { json(): Promise<unknown> }): Promise<EndReason | undefined> {
  const body = (await response.json().catch(() => null)) as { error?: { code?: unknown } } | null;
  const code = body?.error?.code;
  return typeof code === 'string' ? CLOSED_CODES[code] : undefined;
}

function checkDetails(body: unknown, fallbackUrl: string | null): ConnectionDetails {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const token = record.token;
  const url = typeof record.url === 'string' && record.url !== '' ? record.url : fallbackUrl;
  if (typeof token !== 'string' || token === '' || url === null || !/^wss?:\/\//.test(url)) {
    throw new WaitingRoomError('token-invalid', 'The token endpoint did not answer with { token, url }.');
  }
  return { token, url };
}

/** Fixed credentials from the `token` and `server-url` attributes. */
export function fixedTokenSource(token: string, url: string): TokenSource {
  const details = checkDetails({ token, url }, null);
  return () => Promise.resolve(details);
}

/**
 * Credentials from the host's endpoint: POST first (no body; the URL names the session and the
 * cookie or query names the user), GET when the endpoint answers 405 to POST.
 * `serverUrl` fills in a response that carries only a token. A 409 whose body is the clinic API's
 * `{ error: { code: 'session_ended' | 'session_cancelled' | 'session_no_show' } }` is the session's
 * end, not a failure.
 */
export function urlTokenSource(tokenUrl: string, serverUrl: string | null, fetchImpl: Fetch = fetch): TokenSource {
  const request = async (method: string) => {
    try {
      return await fetchImpl(tokenUrl, { method, headers: { accept: 'application/json' }, credentials: 'same-origin' });
    } catch (cause) {
      throw WaitingRoomError.tokenFetch(null, cause);
    }
  };
  return async () => {
    let response = await request('POST');
    if (response.status === 405) response = await request('GET');
    const reason = response.status === 409 ? await closedReason(response) : undefined;
    if (reason) throw new WaitingRoomError('session-closed', `The session is over (${reason}).`, { reason });
    if (!response.ok) throw WaitingRoomError.tokenFetch(response.status);
    let body: unknown;
    try {
      body = await response.json();
    } catch (cause) {
      throw new WaitingRoomError('token-invalid', 'The token endpoint did not answer with JSON.', { cause });
    }
    return checkDetails(body, serverUrl);
  };
}
