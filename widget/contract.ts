// What the element needs at runtime from its public API: the tag, the attributes it observes
// (and which of them reconnect), and how each event is dispatched. api.ts documents each of them
// for custom-elements.json and stays out of the shipped code; a unit test keeps the two in step.

import type { WaitingRoomEvents } from './events';
import { TEXT_KEYS, textAttributeName } from './texts';

export const TAG_NAME = 'livekit-waiting-room';

/** Every event goes out as `lwr-<name>`; the unprefixed name too, for one more release (with a console warning to its listeners). */
export const EVENT_PREFIX = 'lwr-';

/** Credentials: a change reconnects. Every other attribute only re-renders. */
export const CREDENTIAL_ATTRIBUTES: readonly string[] = ['token-url', 'token', 'server-url'];

/** `token-method` is read at the next connect, like the `tokenRequest` property: changing it restarts nothing. */
export const ATTRIBUTES: readonly string[] = [...CREDENTIAL_ATTRIBUTES, 'token-method', 'participant-role', 'lang', 'end-url', 'end-button', 'screen-share', 'chat', ...TEXT_KEYS.map(textAttributeName)];

/**
 * Bubbling events are also composed (they cross shadow roots). `error` does not bubble: a
 * bubbling `error` would reach window-level `error` listeners (error trackers) as if the page threw.
 */
export const EVENT_OPTIONS: { readonly [K in keyof WaitingRoomEvents]: { bubbles: boolean; cancelable?: boolean } } = {
  waiting: { bubbles: true },
  'session-started': { bubbles: true },
  'session-ended': { bubbles: true },
  'end-requested': { bubbles: true, cancelable: true },
  error: { bubbles: false },
};
