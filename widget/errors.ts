// The widget's one error type: a string `code` callers can switch on, a readable message and
// the underlying `cause`. The element forwards these as the `error` event's detail.

import type { EndReason } from './sessionState';

export type WaitingRoomErrorCode =
  | 'not-configured'
  | 'token-fetch-failed'
  | 'token-invalid'
  | 'connect-failed'
  | 'disconnected'
  | 'media-denied'
  | 'media-unavailable'
  /** The token endpoint answered that the session is over (409 session_ended, _cancelled, _no_show). */
  | 'session-closed'
  /** The host's `end-url` refused to end the session. */
  | 'end-failed';

export class WaitingRoomError extends Error {
  override readonly name = 'WaitingRoomError';
  /** For `session-closed`: how the session closed. */
  readonly reason: EndReason | undefined;

  constructor(
    readonly code: WaitingRoomErrorCode,
    message: string,
    options?: { cause?: unknown; reason?: EndReason },
  ) {
    super(message, options);
    this.reason = options?.reason;
  }

  static tokenFetch(status: number | null, cause?: unknown): WaitingRoomError {
    const what = status === null ? 'network error' : `HTTP ${status}`;
    return new WaitingRoomError('token-fetch-failed', `Could not fetch a session token (${what}).`, { cause });
  }
}

/** Problems the call survives: a camera or microphone that could not start, an end request refused. */
const SURVIVABLE: readonly WaitingRoomErrorCode[] = ['media-denied', 'media-unavailable', 'end-failed'];

/** Whether an error stops the widget (the `error` event's `fatal`): everything but what the call survives. */
export function isFatal(code: WaitingRoomErrorCode): boolean {
  return !SURVIVABLE.includes(code);
}
