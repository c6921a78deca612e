// Whom the waiting room still waits for, by role: a pure rule. The token says which roles the
// start waits for (the service's `autostart.awaits` attribute, one entry per person needed); the
// roles of everyone connected (their tokens' `autostart.role`, this page's own included) are taken
// away, and what is left is named in the heading ("Waiting for the counselor and the
// interpreter"). With nothing beyond the common pair's other side, the two-party heading stays.

import type { WaitingRoomTexts } from './texts';

/** The roles the start waits for, from the token's attribute (absent: an older service, nothing known). */
export function parseAwaits(attribute: string | undefined): string[] {
  return attribute ? attribute.split(',').filter((role) => role !== '') : [];
}

/** `awaits` less one entry per role connected: who the start still needs, in the token's order. */
export function stillAwaited(awaits: readonly string[], connectedRoles: readonly string[]): string[] {
  const connected = new Map<string, number>();
  for (const role of connectedRoles) connected.set(role, (connected.get(role) ?? 0) + 1);
  const missing: string[] = [];
  for (const role of awaits) {
    const left = connected.get(role) ?? 0;
    if (left > 0) connected.set(role, left - 1);
    else missing.push(role);
  }
  return missing;
}

const ROLE_TEXT: Readonly<Record<string, keyof WaitingRoomTexts>> = {
  student: 'roleStudent',
  counselor: 'roleCounselor',
  guardian: 'roleGuardian',
  interpreter: 'roleInterpreter',
  co_counselor: 'roleCoCounselor',
};

/**
 * The waiting room's heading for these missing roles, or null for the two-party heading (nobody
 * missing but one student or one counselor, or nothing known). Several students are counted.
 */
export function waitingHeading(missing: readonly string[], texts: WaitingRoomTexts): string | null {
  const roles = [...new Set(missing)].filter((role) => ROLE_TEXT[role] !== undefined);
  if (roles.length === 0 || (missing.length === 1 && (roles[0] === 'student' || roles[0] === 'counselor'))) return null;
  const students = missing.filter((role) => role === 'student').length;
  const names = roles.map((role) => (role === 'student' && students > 1 ? texts.studentsCount.replace('{count}', String(students)) : texts[ROLE_TEXT[role] as keyof WaitingRoomTexts]));
  const people = names.length === 1 ? (names[0] as string) : `${names.slice(0, -1).join(', ')} ${texts.listAnd} ${names.at(-1) as string}`;
  return texts.waitingForPeople.replace('{people}', people);
}
