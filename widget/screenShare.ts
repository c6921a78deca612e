// Who may share a screen: the clinic's policy from the join token (attribute
// `autostart.screen_share`, which LiveKit enforces through the token's publishing sources),
// narrowed by the page's `screen-share` attribute. Pure, so the rule is tested alone. The
// controller shares (LiveKit's screen-share source) only in the call of a Room it owns.
import { mayShareScreen as roleMayShare, narrowerPolicy, parseScreenSharePolicy, type ScreenSharePolicy } from '../plugin/callSettings';

export type { ScreenSharePolicy };

/**
 * The policy in force. With the clinic's (`clinicValue`, from the token), the page's attribute
 * may only narrow it; without it (a token that does not say), the page's attribute alone, and
 * anything else than `everyone` or `none` is the default, the counselor only.
 */
export function screenSharePolicy(pageValue: string | null, clinicValue: string | null = null): ScreenSharePolicy {
  const page = parseScreenSharePolicy(pageValue);
  const clinic = parseScreenSharePolicy(clinicValue);
  if (clinic === null) return page ?? 'counselor';
  return page === null ? clinic : narrowerPolicy(clinic, page);
}

/** Whether the local user is offered "Share screen". */
export function mayShareScreen(policy: ScreenSharePolicy, role: 'student' | 'counselor'): boolean {
  return roleMayShare(policy, role);
}
