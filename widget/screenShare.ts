// Who may share a screen, from the `screen-share` attribute: pure, so the rule is tested alone.
// The controller shares (LiveKit's screen-share source) only in the call of a Room it owns.

export type ScreenSharePolicy = 'counselor' | 'everyone' | 'none';

/** The attribute's value; anything else (or nothing) is the default, the counselor only. */
export function screenSharePolicy(value: string | null): ScreenSharePolicy {
  return value === 'everyone' || value === 'none' ? value : 'counselor';
}

/** Whether the local user is offered "Share screen". */
export function mayShareScreen(policy: ScreenSharePolicy, role: 'student' | 'counselor'): boolean {
  return policy === 'everyone' || (policy === 'counselor' && role === 'counselor');
}
