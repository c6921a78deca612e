// What this page takes part in the call with, by its own role (the join token's
// `autostart.role`). An observer (a clinical supervisor) watches and listens only: LiveKit lets
// their token neither publish nor send data, so their page never asks for the camera or the
// microphone (no device prompt), offers no control that could not work (device toggles and
// pickers, screen sharing, the chat), and says at the start that they observe. Pure.

import type { ParticipantRole } from '../plugin/participants';
import { ROLE_ATTRIBUTE } from '../plugin/roles';
import type { TextKey } from './texts';

const OBSERVER: ParticipantRole = 'observer';

export interface OwnControls {
  /** Capture the camera and microphone (preview, level, toggles, device pickers, screen sharing) and publish them at the start. */
  media: boolean;
  /** The in-call chat (an observer could not send in it). */
  chat: boolean;
  /** What the page says when the call starts, and when it finds the call under way. */
  started: TextKey;
  resumed: TextKey;
}

const PARTICIPANT: OwnControls = { media: true, chat: true, started: 'sessionStarted', resumed: 'sessionResumed' };
const WATCHING: OwnControls = { media: false, chat: false, started: 'youAreObserving', resumed: 'youAreObserving' };

/** The controls of a page whose own role is `role` (any role but an observer's, or none, takes part in full). */
export function ownControls(role: string | null | undefined): OwnControls {
  return role === OBSERVER ? WATCHING : PARTICIPANT;
}

/**
 * The role a LiveKit join token names, read from its payload before connecting (so an observer's
 * page asks for no device even for the preview); null for a token without one or not a JWT. Not
 * verified, and need not be: it decides only what this page captures and shows, LiveKit enforces
 * the grant.
 */
export function tokenRole(token: string | undefined): string | null {
  try {
    const payload = JSON.parse(atob((token ?? '').split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { attributes?: Record<string, unknown> };
    const role = payload.attributes?.[ROLE_ATTRIBUTE];
    return typeof role === 'string' ? role : null;
  } catch {
    return null;
  }
}
