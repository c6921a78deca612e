// The port that mints LiveKit join tokens for the people of a session's appointment.
import type { CallSettings, PublishSource, Role } from '../../../plugin';

export interface JoinTokenRequest {
  identity: string;
  /** The session the token is for: carried as a participant attribute, so the widget knows it. */
  sessionId: string;
  room: string;
  role: Exclude<Role, 'guest'>;
  /**
   * The session is active: the token may publish audio, video and data. Otherwise its holder
   * may join and subscribe only, and publishing comes with the start (granted through LiveKit's API).
   */
  canPublish: boolean;
  /** What it may publish when it may (LiveKit's canPublishSources): a screen only where the clinic allows. */
  publishSources: readonly PublishSource[];
  /** The clinic's call settings, carried as participant attributes for the widget. */
  callSettings: CallSettings;
  /** The roles the start waits for (AWAITS_ATTRIBUTE), so the waiting room can say whom it waits for. */
  awaits?: readonly string[];
  /**
   * The observer notice (plugin observedAttributes: OBSERVED_ATTRIBUTE when the session discloses
   * an observer to this person), carried as participant attributes. @defaultValue none
   */
  disclosure?: Readonly<Record<string, string>>;
  /** Keep the participant out of the others' participant lists (an observer). @defaultValue false */
  hidden?: boolean;
}

export interface JoinTokenMinter {
  mint(request: JoinTokenRequest): Promise<{ token: string; url: string }>;
}
