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
  /**
   * The service's "End session for everyone" endpoint (counselor tokens, when the service knows
   * its public URL): the widget POSTs there with this token as its bearer credential.
   */
  endUrl?: string;
}

/** Called on every (re)connect attempt, so a host can mint a fresh token each time. */
export type TokenSource = () => Promise<ConnectionDetails>;

/**
 * The request the widget sends to `token-url`. A `tokenRequest` hook receives it and returns it
 * changed: a CSRF header, an `Authorization` header, a body, other credentials.
 */
export interface TokenRequest {
  /** `token-method`. @defaultValue 'GET' */
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** @defaultValue 'same-origin' (the portal's session cookie goes along) */
  credentials: 'omit' | 'same-origin' | 'include';
  body?: string;
}

/** Called before every token request, so a header can carry a value that changes (a fresh CSRF token). */
export type TokenRequestHook = (request: TokenRequest) => TokenRequest | Promise<TokenRequest>;

type Fetch = (input: string, init: TokenRequest) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

export interface UrlTokenSourceOptions {
  /** The `token-method` attribute: GET or POST (any case). @defaultValue 'GET' */
  method?: string | null;
  /** The element's `tokenRequest` property. */
  prepare?: TokenRequestHook;
  /** The fetch port. @defaultValue globalThis.fetch */
  fetch?: Fetch;
}

/** The methods a token endpoint is called with; anything else is a configuration error, said at once. */
export function tokenMethod(value: string | null | undefined): TokenRequest['method'] {
  const method = (value ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') throw new WaitingRoomError('not-configured', `token-method must be GET or POST, not "${value ?? ''}".`);
  return method;
}

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
  const endUrl = record.endUrl;
  if (endUrl === undefined) return { token, url };
  if (typeof endUrl !== 'string' || !/^https?:\/\//.test(endUrl)) throw new WaitingRoomError('token-invalid', 'The token endpoint answered an endUrl that is not an http(s) URL.');
  return { token, url, endUrl };
}

/** Fixed credentials from the `token` and `server-url` attributes. */
export function fixedTokenSource(token: string, url: string): TokenSource {
  const details = checkDetails({ token, url }, null);
  return () => Promise.resolve(details);
}

/**
 * Credentials from the host's endpoint, called with `token-method` (GET unless told; no body:
 * the URL names the session and the cookie or query names the user), after the `tokenRequest`
 * hook had its say. `serverUrl` fills in a response that carries only a token. A 409 whose body
 * is the clinic API's `{ error: { code: 'session_ended' | 'session_cancelled' | 'session_no_show' } }`
 * is the session's end, not a failure.
 */
export function urlTokenSource(tokenUrl: string, serverUrl: string | null, options: UrlTokenSourceOptions = {}): TokenSource {
  const method = tokenMethod(options.method);
  const fetchImpl: Fetch = options.fetch ?? ((input, init) => fetch(input, init));
  return async () => {
    const request: TokenRequest = { method, headers: { accept: 'application/json' }, credentials: 'same-origin' };
    // The hook's own failure is the host's, passed on as it is; only the fetch is a network error.
    const prepared = options.prepare ? await options.prepare(request) : request;
    let response: Awaited<ReturnType<Fetch>>;
    try {
      response = await fetchImpl(tokenUrl, prepared);
    } catch (cause) {
      throw WaitingRoomError.tokenFetch(null, cause);
    }
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
