// What a clinic allows in the call beyond voice and video: who may share a screen, and whether the
// in-call text chat is on. The service writes both into every join token (participant
// attributes a client cannot change) and turns the screen-share rule into LiveKit's own
// publishing permission (canPublishSources), so LiveKit refuses a screen from anyone the rule
// leaves out, whatever page or client they use. Chat travels on the data channel, which the
// widgets' presence heartbeat needs too: LiveKit cannot refuse it by topic, so a widget reads the
// attribute and neither sends nor shows chat when it is off.
import type { Role } from './roles';

/** Who may share a screen: the counselor side (the default), every participant who may publish, or nobody. */
export type ScreenSharePolicy = 'counselor' | 'everyone' | 'none';

export const SCREEN_SHARE_POLICIES: readonly ScreenSharePolicy[] = ['counselor', 'everyone', 'none'];

export interface CallSettings {
  screenShare: ScreenSharePolicy;
  /** The in-call text chat between the widgets. */
  chat: boolean;
}

/** A clinic that configured nothing: the counselor may share, chat is on. */
export const DEFAULT_CALL_SETTINGS: CallSettings = { screenShare: 'counselor', chat: true };

/** Token attribute carrying the clinic's screen-share policy. */
export const SCREEN_SHARE_ATTRIBUTE = 'autostart.screen_share';

/** Token attribute carrying `on` or `off` for the chat. */
export const CHAT_ATTRIBUTE = 'autostart.chat';

/** LiveKit's track sources, as its token grants spell them. */
export type PublishSource = 'camera' | 'microphone' | 'screen_share' | 'screen_share_audio';

/** The counselor side of an appointment: those the `counselor` policy lets share. */
const COUNSELOR_SIDE: ReadonlySet<Role> = new Set(['counselor', 'co_counselor']);

/** Whether someone of `role` may share a screen under `policy` (an observer or guest never publishes). */
export function mayShareScreen(policy: ScreenSharePolicy, role: Role): boolean {
  if (role === 'observer' || role === 'guest') return false;
  return policy === 'everyone' || (policy === 'counselor' && COUNSELOR_SIDE.has(role));
}

/** What LiveKit lets someone of `role` publish once the session is active: voice and video, and a screen (with its sound) where allowed. */
export function publishSourcesOf(role: Role, settings: CallSettings): PublishSource[] {
  return mayShareScreen(settings.screenShare, role) ? ['camera', 'microphone', 'screen_share', 'screen_share_audio'] : ['camera', 'microphone'];
}

/** The token attributes that tell the widget the clinic's settings. */
export function callAttributes(settings: CallSettings): Record<string, string> {
  return { [SCREEN_SHARE_ATTRIBUTE]: settings.screenShare, [CHAT_ATTRIBUTE]: settings.chat ? 'on' : 'off' };
}

/** A policy from an attribute's text; null for anything else (absent, misspelt). */
export function parseScreenSharePolicy(value: string | null | undefined): ScreenSharePolicy | null {
  return SCREEN_SHARE_POLICIES.includes(value as ScreenSharePolicy) ? (value as ScreenSharePolicy) : null;
}

const BREADTH: Readonly<Record<ScreenSharePolicy, number>> = { none: 0, counselor: 1, everyone: 2 };

/** The narrower of two policies: a page may restrict what the clinic allows, never widen it. */
export function narrowerPolicy(a: ScreenSharePolicy, b: ScreenSharePolicy): ScreenSharePolicy {
  return BREADTH[a] <= BREADTH[b] ? a : b;
}
