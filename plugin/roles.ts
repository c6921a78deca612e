// Who is who in an appointment. The appointment's identities decide; a role attribute in the
// token only helps for identities the appointment does not name (a substitute counselor), and
// only when we chose to trust our own tokens.

import { publishSourcesOf, type CallSettings, type PublishSource } from './callSettings';
import type { EventParticipant } from './events';
import { observedAttributes } from './observers';
import type { Appointment, ParticipantRole } from './participants';

export type { Appointment } from './participants';

/** A participant's role in the session: one the appointment gives, or `guest` for anyone it does not name. */
export type Role = ParticipantRole | 'guest';

/** Token attribute carrying the role we minted the token for. */
export const ROLE_ATTRIBUTE = 'autostart.role';

export interface RolePolicy {
  /**
   * Trust {@link ROLE_ATTRIBUTE} from tokens we minted for identities the appointment does not
   * name. Only safe when clients cannot update their own attributes (no `canUpdateOwnMetadata`).
   * @defaultValue false
   */
  trustRoleAttribute?: boolean;
}

/** The role the appointment gives this identity (the student first, as below); null when it does not name it. */
export function namedRole(appointment: Appointment, identity: string): ParticipantRole | null {
  if (identity === appointment.studentIdentity) return 'student';
  if (identity === appointment.counselorIdentity) return 'counselor';
  return appointment.participants?.find((entry) => entry.identity === identity)?.role ?? null;
}

/**
 * The participant's role in this appointment. An identity the appointment names keeps that role
 * whatever its attributes say (and an attribute can only claim student or counselor), so nobody can claim the other side's seat; when both seats name
 * the same identity it is the student, and one person alone can never complete the pair.
 */
export function roleOf(appointment: Appointment, participant: EventParticipant, policy: RolePolicy = {}): Role {
  const named = namedRole(appointment, participant.identity);
  if (named) return named;
  if (policy.trustRoleAttribute !== true) return 'guest';
  const claimed = participant.attributes[ROLE_ATTRIBUTE];
  return claimed === 'student' || claimed === 'counselor' ? claimed : 'guest';
}

/** What LiveKit is to let someone on the appointment do once the session is active, as its participant permission spells it. */
export interface PublishingGrant {
  canPublish: true;
  /** Voice and video, and a screen (with its sound) where the clinic lets their role share. */
  canPublishSources: PublishSource[];
  canSubscribe: true;
  canPublishData: true;
}

/** Someone who may publish once the session is active, their grant, and what they are told with it. */
export interface Publisher {
  identity: string;
  role: Role;
  grant: PublishingGrant;
  /** The participant attributes that go with the grant: the observer notice where there is one to tell (observers.ts). */
  attributes: Record<string, string>;
}

/** What the session lets its people publish and tells them: the clinic's call settings, and whether it discloses an observer. */
export interface PublishingTerms {
  callSettings: CallSettings;
  observersDisclosed: boolean;
}

/**
 * Everyone on the appointment who may publish once the session is active, each once, the pair
 * first: all but observers, who only ever watch. Each may publish what their role and the
 * clinic's call settings allow, and is told with the grant whether an observer watches: from
 * then on they can be seen and heard, and a token minted before the observer was added lacks it.
 */
export function publishersOf(appointment: Appointment, terms: PublishingTerms): Publisher[] {
  const everyone = appointment.participants ?? [];
  const listed = everyone.filter((entry) => entry.role !== 'observer').map((entry) => entry.identity);
  return [...new Set([appointment.studentIdentity, appointment.counselorIdentity, ...listed])].map((identity) => {
    const role = namedRole(appointment, identity) ?? 'guest';
    return {
      identity,
      role,
      grant: { canPublish: true, canPublishSources: publishSourcesOf(role, terms.callSettings), canSubscribe: true, canPublishData: true },
      attributes: observedAttributes(everyone, terms.observersDisclosed, role),
    };
  });
}
