// The DOM events the element dispatches, their detail types, and their declarations on the
// global event maps so `addEventListener` is typed. Which of them bubble is in api.ts.

import type { WaitingRoomErrorCode } from './errors';
import type { EndReason } from './sessionState';

export interface WaitingDetail {
  /** Who the local user waits for. */
  waitingFor: 'student' | 'counselor';
}

export interface SessionStartedDetail {
  sessionId: string;
  /** ISO 8601, from the server's snapshot. */
  startedAt: string;
  /** true when the session was already active as this page joined (reload, late join). */
  resumed: boolean;
}

export interface SessionEndedDetail {
  sessionId: string | null;
  reason: EndReason;
}

export interface EndRequestedDetail {
  sessionId: string | null;
  /**
   * Hands the widget the host's own end call (after preventDefault(), or beside the POST): when it
   * rejects, the button comes back and the failure is said, as for a failed end-url.
   */
  waitUntil(promise: Promise<unknown>): void;
}

export interface WaitingRoomErrorDetail {
  code: WaitingRoomErrorCode;
  message: string;
  /** false for problems the call survives (a denied camera). */
  fatal: boolean;
}

/** The events by their unprefixed names: the old names, still dispatched for one release. */
export interface WaitingRoomEvents {
  waiting: CustomEvent<WaitingDetail>;
  'session-started': CustomEvent<SessionStartedDetail>;
  'session-ended': CustomEvent<SessionEndedDetail>;
  'end-requested': CustomEvent<EndRequestedDetail>;
  error: CustomEvent<WaitingRoomErrorDetail>;
}

/** Each event goes out as `lwr-<name>` (never colliding with the DOM's own `waiting` or `error`) and, for one more release, as `<name>`. */
export type LiveKitWaitingRoomEventMap = WaitingRoomEvents & { [K in keyof WaitingRoomEvents as `lwr-${K}`]: WaitingRoomEvents[K] };

declare global {
  // `waiting` and `error` are left out here: the global map already types them (media
  // `waiting` Event, ErrorEvent). The element's own addEventListener overload types them all.
  interface GlobalEventHandlersEventMap {
    'lwr-waiting': CustomEvent<WaitingDetail>;
    'lwr-session-started': CustomEvent<SessionStartedDetail>;
    'lwr-session-ended': CustomEvent<SessionEndedDetail>;
    'lwr-end-requested': CustomEvent<EndRequestedDetail>;
    'lwr-error': CustomEvent<WaitingRoomErrorDetail>;
    'session-started': CustomEvent<SessionStartedDetail>;
    'session-ended': CustomEvent<SessionEndedDetail>;
    'end-requested': CustomEvent<EndRequestedDetail>;
  }
}
