// The element's public API, described once: the element reads its observed attributes and its
// events' dispatch options from here, and the build turns it into dist/widget/custom-elements.json
// (manifest.ts). Add an attribute, event, slot, part or custom property here first.

import type { LiveKitWaitingRoomEventMap } from './events';
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
  tagName: 'livekit-waiting-room';
  className: string;
  description: string;
  attributes: readonly AttributeDoc[];
  properties: readonly PropertyDoc[];
  methods: readonly MethodDoc[];
  events: { readonly [K in keyof LiveKitWaitingRoomEventMap]: EventDoc };
  slots: readonly NamedDoc[];
  cssParts: readonly NamedDoc[];
  cssProperties: readonly CssPropertyDoc[];
}

export const widgetApi: WidgetApi = {
  tagName: 'livekit-waiting-room',
  className: 'LiveKitWaitingRoomElement',
  description:
    'The drop-in waiting room and call for a counseling session: a waiting room until the service starts the session, then the call.',
  attributes: [
    { name: 'token-url', type: 'string', reconnects: true, description: 'URL answering `{ token, url }` JSON (POST, or GET when POST answers 405).' },
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
    ...textAttributes,
  ],
  properties: [
    { name: 'participantRole', type: "'student' | 'counselor'", description: 'Reflects the `participant-role` attribute.' },
    { name: 'room', type: 'Room | undefined', description: 'A livekit-client Room the page already connects: the element listens and renders (no connect, no publish).' },
    { name: 'tokenSource', type: 'TokenSource | undefined', description: '`() => Promise<{ token, url }>`, called on every (re)connect; wins over the attributes.' },
    { name: 'texts', type: 'Partial<WaitingRoomTexts> | undefined', description: 'Text overrides; `text-*` attributes win over this.' },
    { name: 'phase', type: 'Phase', readonly: true, description: 'idle | connecting | waiting | active | reconnecting | ended | failed.' },
  ],
  methods: [
    { name: 'leave', returns: 'Promise<void>', description: 'Leaves the call; the element shows its ended state with a Rejoin button.' },
    { name: 'retry', returns: 'void', description: 'Connects again after a failure or after leaving.' },
  ],
  events: {
    waiting: { detail: 'WaitingDetail', bubbles: true, description: 'The waiting room shows; detail `{ waitingFor }`.' },
    'session-started': { detail: 'SessionStartedDetail', bubbles: true, description: 'The session started; detail `{ sessionId, startedAt, resumed }`.' },
    'session-ended': {
      detail: 'SessionEndedDetail',
      bubbles: true,
      description:
        'The ended state shows; detail `{ sessionId, reason }`: ended-by-clinic, timed-out (nobody came back within the rejoin grace), cancelled, no-show, room-deleted (closed without a word), left (this user), replaced (this user joined again from another tab or device).',
    },
    error: {
      detail: 'WaitingRoomErrorDetail',
      bubbles: false,
      description: 'Detail `{ code, message, fatal }`; a denied camera is `fatal: false`. Listen on the element: it does not reach window.',
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
    { name: 'remote-video', description: "The other person's video." },
    { name: 'self-video', description: 'The local camera in the call.' },
    { name: 'ended', description: 'The ended section.' },
    { name: 'media-notice', description: 'Camera/microphone problems.' },
    { name: 'error', description: 'The connection failure message.' },
    { name: 'system-message', description: '"Your session has started" and the like.' },
    { name: 'actions', description: 'The button row.' },
    { name: 'button', description: 'Every button.' },
    { name: 'retry-button', description: 'Retry / Rejoin.' },
    { name: 'enable-audio-button', description: 'Shown when the browser blocked sound until a click.' },
    { name: 'leave-button', description: 'Leave session.' },
  ],
  cssProperties: [
    { name: '--lwr-accent', syntax: '<color>', default: '#2f6f5e', description: 'Buttons, status dot, focus outline.' },
    { name: '--lwr-font', syntax: '*', default: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif', description: 'Font family.' },
    { name: '--lwr-background', syntax: '<color>', default: '#ffffff', description: 'Background.' },
    { name: '--lwr-foreground', syntax: '<color>', default: '#1d2327', description: 'Text color.' },
    { name: '--lwr-muted', syntax: '<color>', default: '#5b6770', description: 'Secondary text.' },
    { name: '--lwr-radius', syntax: '<length>', default: '12px', description: 'Corner radius.' },
    { name: '--lwr-stage-background', syntax: '<color>', default: '#12181b', description: 'Behind the videos.' },
    { name: '--lwr-max-width', syntax: '<length>', default: '960px', description: 'Maximum width.' },
  ],
};
