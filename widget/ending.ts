// "End session for everyone", apart from the element: where the request goes and with which
// credentials (pure), the POST itself through a fetch port (an injected ender), and the order of
// the step once the counselor confirmed: the host's own calls first (handed over with
// waitUntil), then the POST unless the host prevented it. Any failure is one `end-failed` error.

import { WaitingRoomError } from './errors';
import type { ConnectionDetails } from './tokenSource';

export interface EndTarget {
  /** Absolute URL. */
  url: string;
  init: { method: 'POST'; headers: Record<string, string>; credentials: 'omit' | 'same-origin' };
}

/**
 * Where the end POSTs, or null when there is nowhere to. The service's own endpoint from the
 * token answer wins over the page's `end-url`: the page cannot point the button elsewhere.
 * Either way the join token is the bearer credential; the service's endpoint takes the bearer
 * alone, the host's `end-url` may want its cookie too. Throws on a URL that does not parse.
 */
export function endTarget(credentials: ConnectionDetails | null, endUrlAttribute: string | null, baseUrl: string): EndTarget | null {
  const endUrl = credentials?.endUrl ?? endUrlAttribute;
  if (!endUrl) return null;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (credentials) headers.authorization = `Bearer ${credentials.token}`;
  return { url: new URL(endUrl, baseUrl).href, init: { method: 'POST', headers, credentials: credentials?.endUrl ? 'omit' : 'same-origin' } };
}

/** The fetch port: the browser's fetch, or a test's. */
export type EndFetch = (url: string, init: EndTarget['init']) => Promise<{ ok: boolean; status: number }>;

/** Sends the end request; rejects when it was not accepted. */
export type SessionEnder = (target: EndTarget) => Promise<void>;

export function httpSessionEnder(fetchImpl: EndFetch = (url, init) => fetch(url, init)): SessionEnder {
  return async (target) => {
    const response = await fetchImpl(target.url, target.init);
    if (!response.ok) throw new WaitingRoomError('end-failed', `The end-url answered HTTP ${response.status}.`);
  };
}

export interface EndStep {
  /** The host's own end calls (the `end-requested` event's waitUntil). */
  hostCalls: readonly Promise<unknown>[];
  /** false when a listener called preventDefault(): the host ends the session itself. */
  proceed: boolean;
  /** Where to POST (see endTarget); called only when the step gets that far. */
  target: () => EndTarget | null;
}

/** Runs the confirmed end; rejects with an `end-failed` WaitingRoomError whatever went wrong. */
export async function endForEveryone(step: EndStep, ender: SessionEnder): Promise<void> {
  try {
    await Promise.all(step.hostCalls);
    const target = step.proceed ? step.target() : null;
    if (target) await ender(target);
  } catch (cause) {
    throw cause instanceof WaitingRoomError ? cause : new WaitingRoomError('end-failed', 'The session could not be ended.', { cause });
  }
}
