// Whether the people in a call are told that someone observes it. An observer (a clinical
// supervisor) joins hidden, so no client can see them; the service says it instead, as an
// attribute of every visible participant's token, and the widget shows the notice while it is
// there. The clinic decides per session (`observersDisclosed`, default true); the audit trail
// records the observer's joins and leaves either way.
import type { AppointmentParticipant } from './participants';

/** Participant attribute present (value {@link OBSERVED_DISCLOSED}) when the session discloses an observer. */
export const OBSERVED_ATTRIBUTE = 'autostart.observed';
/** The one value of {@link OBSERVED_ATTRIBUTE}; an absent attribute means nothing is disclosed. */
export const OBSERVED_DISCLOSED = 'disclosed';

/**
 * The attribute a visible participant's token carries: the notice when the appointment names an
 * observer and the clinic discloses observers, nothing otherwise (an observer's own token never
 * carries it: they know).
 */
export function observedAttributes(
  participants: readonly Pick<AppointmentParticipant, 'role'>[],
  observersDisclosed: boolean,
  forRole: string,
): Record<string, string> {
  if (!observersDisclosed || forRole === 'observer') return {};
  return participants.some((participant) => participant.role === 'observer') ? { [OBSERVED_ATTRIBUTE]: OBSERVED_DISCLOSED } : {};
}
