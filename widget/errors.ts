// The widget's one error type: a string `code` callers can switch on, a readable message and
// the underlying `cause`. The element forwards these as the `error` event's detail.

export type WaitingRoomErrorCode =
  | 'not-configured'
  | 'token-fetch-failed'
  | 'token-invalid'
  | 'connect-failed'
  | 'disconnected'
  | 'media-denied'
  | 'media-unavailable';

export class WaitingRoomError extends Error {
  override readonly name = 'WaitingRoomError';

  constructor(
    readonly code: WaitingRoomErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static tokenFetch(status: number | null, cause?: unknown): WaitingRoomError {
    const what = status === null ? 'network error' : `HTTP ${status}`;
    return new WaitingRoomError('token-fetch-failed', `Could not fetch a session token (${what}).`, { cause });
  }
}
