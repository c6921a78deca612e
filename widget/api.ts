// The element's public API, documented: the build turns it into dist/widget/custom-elements.json
// (manifest.ts). The runtime half (attribute names, event options) is contract.ts, which the
// element reads; a unit test checks this description covers exactly that. Kept out of the
// shipped code, so documentation costs the page nothing.

import { EVENT_OPTIONS, TAG_NAME } from './contract';
import type { WaitingRoomEvents } from './events';
import { en, TEXT_KEYS, textAttributeName } from './texts';

export interface AttributeDoc {
  name: string;
  /** TypeScript-style type of the value, for the manifest. */
  type: string;
  default?: string;
  /** The property that reflects the attribute, when there is one. */
  fieldName?: string;
  /** true when a change reconnects (credentials); other attributes only re-render. */
  reconnects?: boolean;
  description: string;
}

export interface PropertyDoc {
  name: string;
  type: string;
  readonly?: boolean;
  description: string;
}

export interface MethodDoc {
  name: string;
  returns: string;
  description: string;
}

export interface EventDoc {
  /** The detail's type name (exported from events.ts). */
  detail: string;
  /**
   * Bubbling events are also composed (they cross shadow roots). `error` does not bubble: a
   * bubbling `error` would reach window-level `error` listeners (error trackers) as if the page threw.
   */
  bubbles: boolean;
  /** preventDefault() means something (end-requested: the page ends the session itself). */
  cancelable?: boolean;
  description: string;
}

export interface NamedDoc {
  name: string;
  description: string;
}

export interface CssPropertyDoc extends NamedDoc {
  syntax: string;
  default: string;
}

const textAttributes: AttributeDoc[] = TEXT_KEYS.map((key) => ({
  name: textAttributeName(key),
  type: 'string',
  description: `Replaces the text "${en[key]}" (English default; the texts property key is \`${key}\`).`,
}));

export interface WidgetApi {
  tagName: typeof TAG_NAME;
  className: string;
  description: string;
  attributes: readonly AttributeDoc[];
  properties: readonly PropertyDoc[];
  methods: readonly MethodDoc[];
  /** By unprefixed name; each goes out as `lwr-<name>` and, for one more release, as `<name>`. */
  events: { readonly [K in keyof WaitingRoomEvents]: EventDoc };
  slots: readonly NamedDoc[];
  cssParts: readonly NamedDoc[];
  cssProperties: readonly CssPropertyDoc[];
}

export const widgetApi: WidgetApi = {
  tagName: TAG_NAME,
  className: 'LiveKitWaitingRoomElement',
  description:
    'The drop-in waiting room and call for a counseling session: a waiting room until the service starts the session, then the call. Importing the module touches no DOM global (server rendering); styles are adopted as a constructed stylesheet, or, where the browser cannot, a <style> carrying the host\'s `nonce`.',
  attributes: [
    { name: 'token-url', type: 'string', reconnects: true, description: 'URL answering `{ token, url }` JSON, called with `token-method` and the page\'s cookies (same-origin); the `tokenRequest` property adds headers. Called again for a fresh token when LiveKit gives up reconnecting.' },
    { name: 'token-method', type: "'GET' | 'POST'", default: "'GET'", description: 'The method `token-url` is called with (no body unless `tokenRequest` adds one). Read at the next connect.' },
    { name: 'token', type: 'string', reconnects: true, description: 'A fixed LiveKit token, with `server-url`, instead of `token-url`.' },
    { name: 'server-url', type: 'string', reconnects: true, description: 'The LiveKit server URL for `token` (and the fallback when `token-url` answers no `url`).' },
    {
      name: 'participant-role',
      type: "'student' | 'counselor'",
      default: "'student'",
      fieldName: 'participantRole',
      description: 'Who the local user is. Not `role`: that is the ARIA role attribute.',
    },
    { name: 'lang', type: 'string', default: "'en'", description: '`en` | `es`; falls back to the nearest ancestor with `lang`.' },
    {
      name: 'end-url',
      type: 'string',
      description:
        "Counselor only: the host's endpoint the widget POSTs to for \"End session for everyone\" (same-origin credentials, and the join token as `Authorization: Bearer`), when the token answer carries no `endUrl` (the service's own endpoint, which wins). Setting it, an `endUrl`, or listening for `end-requested` shows the button.",
    },
    {
      name: 'end-button',
      type: 'boolean',
      fieldName: 'endButton',
      description: 'Counselor only: shows "End session for everyone" for a host that ends sessions itself on `end-requested` (an `end-url` or the token answer\'s `endUrl` shows it too).',
    },
    {
      name: 'screen-share',
      type: "'counselor' | 'everyone' | 'none'",
      default: "'counselor'",
      description: 'Who is offered "Share screen" in the call (where the browser can share): the counselor (default), everyone, or nobody. The clinic\'s own setting, carried in the join token (`autostart.screen_share`, enforced by LiveKit), wins: this attribute can narrow it, never widen it. Nothing is shared before the start; sharing stops when the call ends.',
    },
    {
      name: 'chat',
      type: "'on' | 'off'",
      default: "'on'",
      description: 'The in-call text chat (LiveKit data messages in the session\'s room, kept in the pages\' memory only and never by the service); `off` turns it off on this page. A join token whose `autostart.chat` attribute is `off` (the clinic\'s setting) turns it off whatever this says: nothing is sent, and nothing received is shown.',
    },
    ...textAttributes,
  ],
  properties: [
    { name: 'participantRole', type: "'student' | 'counselor'", description: 'Reflects the `participant-role` attribute.' },
    { name: 'endButton', type: 'boolean', description: 'Reflects the `end-button` attribute.' },
    { name: 'room', type: 'Room | undefined', description: 'A livekit-client Room the page already connects: the element listens and renders (no connect, no publish).' },
    { name: 'tokenSource', type: 'TokenSource | undefined', description: '`() => Promise<{ token, url }>`, read at connect time only: called on every (re)connect, and setting it never restarts a running call (an inline function passed on every render is fine). Wins over the attributes. Set before the element is defined, it is kept.' },
    {
      name: 'tokenRequest',
      type: 'TokenRequestHook | undefined',
      description: '`(request: { method, headers, credentials, body? }) => request | Promise<request>`: changes each request to `token-url` before it goes (a CSRF or Authorization header). Read at every connect.',
    },
    { name: 'texts', type: 'Partial<WaitingRoomTexts> | undefined', description: 'Text overrides; `text-*` attributes win over this.' },
    { name: 'phase', type: 'Phase', readonly: true, description: 'idle | connecting | waiting | active | reconnecting | ended | failed.' },
    {
      name: 'otherSessionIgnored',
      type: 'number',
      readonly: true,
      description: 'Room snapshots and data messages of another session ignored so far (the join token names its session in the `autostart.session` attribute); nothing of them is shown or logged.',
    },
  ],
  methods: [
    { name: 'leave', returns: 'Promise<void>', description: 'Leaves the call; the element shows its ended state with a Rejoin button.' },
    { name: 'retry', returns: 'void', description: 'Connects again after a failure or after leaving.' },
    { name: 'setMicrophoneEnabled', returns: 'Promise<void>', description: 'Turns the microphone on or off; in the waiting room it says whether the call starts muted.' },
    { name: 'setCameraEnabled', returns: 'Promise<void>', description: 'Turns the camera on or off; in the waiting room it says whether the call starts with video.' },
    { name: 'setScreenShareEnabled', returns: 'Promise<void>', description: 'Shares a screen or window (the browser asks which) or stops sharing; in the call only, for whom `screen-share` allows.' },
  ],
  events: {
    waiting: { ...EVENT_OPTIONS.waiting, detail: 'WaitingDetail', description: 'The waiting room shows; detail `{ waitingFor }`.' },
    'session-started': { ...EVENT_OPTIONS['session-started'], detail: 'SessionStartedDetail', description: 'The session started; detail `{ sessionId, startedAt, resumed }`.' },
    'session-ended': {
      ...EVENT_OPTIONS['session-ended'],
      detail: 'SessionEndedDetail',
      description:
        'The ended state shows; detail `{ sessionId, reason }`: ended-by-clinic, timed-out (nobody came back within the rejoin grace), cancelled, no-show, room-deleted (closed without a word), left (this user), replaced (this user joined again from another tab or device).',
    },
    'end-requested': {
      ...EVENT_OPTIONS['end-requested'],
      detail: 'EndRequestedDetail',
      description:
        'The counselor confirmed "End session for everyone"; detail `{ sessionId, waitUntil(promise) }`. The host ends the session through its backend (the clinic API) and hands its call to `waitUntil` (a rejection brings the button back and is said), or lets the widget POST to `endUrl` / `end-url`; preventDefault() stops that POST.',
    },
    error: {
      ...EVENT_OPTIONS.error,
      detail: 'WaitingRoomErrorDetail',
      description: 'Detail `{ code, message, fatal }`; a denied camera or a failed end request is `fatal: false`. Listen on the element: it does not reach window.',
    },
  },
  slots: [
    { name: 'logo', description: 'Shown in the header.' },
    { name: 'waiting', description: 'Extra content in the waiting room.' },
    { name: 'ended', description: 'Extra content in the ended state.' },
  ],
  cssParts: [
    { name: 'base', description: 'The whole widget.' },
    { name: 'header', description: 'Logo and connection status.' },
    { name: 'status', description: 'The connection status line.' },
    { name: 'waiting-room', description: 'The waiting-room section.' },
    { name: 'heading', description: 'The waiting-room heading.' },
    { name: 'waited', description: 'The time-waited line.' },
    { name: 'preview', description: 'The camera preview box.' },
    { name: 'call', description: 'The call section.' },
    { name: 'remote-video', description: "Each other person's video: the other one large in a call of two (small while they share a screen); from three people a tile of the grid, or on a widget under 480 px wide the active speaker large and the others small or off-screen (`data-place` main, small or off; `data-speaking` while LiveKit hears them)." },
    { name: 'remote-screen', description: "The other person's shared screen, large on the stage while they share." },
    { name: 'self-video', description: 'The local camera in the call.' },
    { name: 'ended', description: 'The ended section.' },
    { name: 'observed', description: '"A supervisor is observing this session": shown in the waiting room and the call while the join token discloses an observer (`autostart.observed`).' },
    { name: 'media-notice', description: 'Camera/microphone problems.' },
    { name: 'error', description: 'The connection failure message.' },
    { name: 'system-message', description: '"Your session has started" and the like.' },
    { name: 'actions', description: 'The button row.' },
    { name: 'button', description: 'Every button.' },
    { name: 'retry-button', description: 'Retry / Rejoin.' },
    { name: 'enable-audio-button', description: 'Shown when the browser blocked sound until a click.' },
    { name: 'leave-button', description: 'Leave session.' },
    { name: 'timer', description: 'The session timer in the header (time since the start).' },
    { name: 'level', description: 'The microphone level meter in the waiting room.' },
    { name: 'enters-muted', description: 'The waiting-room line saying the call will start muted.' },
    { name: 'continuity', description: 'The notice over the stage while someone the start waits for is not connected, naming their role.' },
    { name: 'remote-status', description: "The other party's muted microphone / camera off badge." },
    { name: 'muted-hint', description: '"You are muted" when the user talks while muted.' },
    { name: 'controls', description: 'The microphone and camera toggles and the device pickers.' },
    { name: 'microphone-button', description: 'The microphone toggle (aria-pressed).' },
    { name: 'camera-button', description: 'The camera toggle (aria-pressed).' },
    { name: 'chat', description: 'The in-call text chat (log and form).' },
    { name: 'chat-input', description: 'The chat message field.' },
    { name: 'chat-send', description: 'The chat Send button.' },
    { name: 'share-button', description: 'The Share screen toggle (aria-pressed), in the call.' },
    { name: 'sharing', description: '"You are sharing your screen", while the local user shares.' },
    { name: 'devices', description: 'The device pickers (microphone, camera, speaker where the browser allows).' },
    { name: 'end-button', description: 'End session for everyone (counselor only).' },
    { name: 'confirm-end', description: 'The confirmation of End session for everyone.' },
  ],
  cssProperties: [
    { name: '--lwr-accent', syntax: '<color>', default: '#2f6f5e (dark: #7cc4ae)', description: 'Buttons, status dot, focus outline.' },
    { name: '--lwr-on-accent', syntax: '<color>', default: '#ffffff (dark: #0f1a17)', description: 'Text on accent and danger buttons.' },
    { name: '--lwr-font', syntax: '*', default: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', description: 'Font family.' },
    { name: '--lwr-background', syntax: '<color>', default: '#ffffff (dark: #15191c)', description: 'Background.' },
    { name: '--lwr-foreground', syntax: '<color>', default: '#1d2327 (dark: #e7ecef)', description: 'Text color.' },
    { name: '--lwr-muted', syntax: '<color>', default: '#5b6770 (dark: #a3b0b8)', description: 'Secondary text.' },
    { name: '--lwr-warning', syntax: '<color>', default: '#c98a00 (dark: #f0b429)', description: 'Reconnecting dot and the tint of notices.' },
    { name: '--lwr-danger', syntax: '<color>', default: '#b3261e (dark: #ff8a80)', description: 'End session, a failure, a device turned off.' },
    { name: '--lwr-overlay', syntax: '<color>', default: 'rgb(0 0 0 / .72)', description: 'Behind the notices over the video.' },
    { name: '--lwr-on-overlay', syntax: '<color>', default: '#ffffff', description: 'Text of the notices over the video.' },
    { name: '--lwr-radius', syntax: '<length>', default: '12px', description: 'Corner radius.' },
    { name: '--lwr-stage-background', syntax: '<color>', default: '#12181b (dark: #000000)', description: 'Behind the videos.' },
    { name: '--lwr-max-width', syntax: '<length>', default: '960px', description: 'Maximum inline size.' },
  ],
};
