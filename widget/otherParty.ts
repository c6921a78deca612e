// The other person in the call, as this page sees them: a pure rule. The controller reads the
// room (who is listed, their presence heartbeat, how LiveKit rates their connection, which of
// their tracks are live) into a `PartySighting`, and `followParty` says what the page shows next:
// present, dropped, away since when. Their heartbeat (presence.ts) is the evidence of a drop;
// LiveKit's rating stands in only for a participant never heard (an older widget). The element
// turns a change into the continuity notice and its announcement (`continuityChange`). No
// livekit-client and no timers here: time is an input.

import type { Heartbeat } from './presence';

/** The other person in the call, as this page sees them. */
export interface OtherParty {
  /** In the room now (LiveKit lists them). */
  present: boolean;
  /** LiveKit reports their connection lost (no packets), or they went away after it was. */
  dropped: boolean;
  /** Epoch ms since when they are missing from the call (absent or dropped); null while they are there, and outside the call. */
  awaySince: number | null;
  microphone: boolean;
  camera: boolean;
  /** The role this page follows them as (their token's), null for tokens without roles: the continuity notice names it. */
  role: string | null;
}

/** What the room shows of the other party at one moment (null: nobody of the other role is listed). */
export interface PartySighting {
  /** Their LiveKit participant sid: a rejoin is a new sid. */
  sid: string;
  /** They publish something and LiveKit rates their connection neither lost nor unknown. */
  ratedFine: boolean;
  /** LiveKit rates their connection lost. */
  ratedLost: boolean;
  /** Their presence heartbeat (presence.ts). @defaultValue 'none' (never heard: the rating decides) */
  heartbeat?: Heartbeat;
  microphone: boolean;
  camera: boolean;
}

/** What the rule remembers between sightings. */
export interface PartyState {
  party: OtherParty;
  /** The sid whose media LiveKit has rated fine at least once (see followParty). */
  ratedSid: string | null;
  /** The other party has been in the room since the call showed. */
  seenInCall: boolean;
}

/** Where the page is: in the call (since when) or not, and the time now (epoch ms). */
export interface CallClock {
  inCall: boolean;
  callSince: number;
  now: number;
}

/**
 * The start can reach a page before LiveKit's word that the other party joined (the service
 * heard both first): a call this young in which they have not been seen yet is not told they are
 * missing, unless LiveKit says dropped. Once seen, their leaving is told at once.
 */
export const SETTLE_MS = 3000;

export const NOBODY: OtherParty = { present: false, dropped: false, awaySince: null, microphone: false, camera: false, role: null };

export const initialParty: PartyState = { party: NOBODY, ratedSid: null, seenInCall: false };

/** A new call: the settling window starts again, what LiveKit rated so far is kept. */
export function partyEntersCall(state: PartyState): PartyState {
  return { ...state, seenInCall: false };
}

/**
 * The next state for one sighting. A silent heartbeat is a drop; a live one is not, whatever the
 * rating says (it is slow to recover). Without heartbeats: LiveKit rates a participant who sends
 * nothing (the waiting room) as lost too, and the rating lags the start, so "lost" means dropped
 * only once their media was rated fine. `party` is the same object when nothing shown changed.
 */
export function followParty(state: PartyState, other: PartySighting | null, clock: CallClock): PartyState {
  const before = state.party;
  const ratedSid = other?.ratedFine ? other.sid : state.ratedSid;
  const heartbeat = other?.heartbeat ?? 'none';
  const lost = other !== null && (heartbeat === 'silent' || (heartbeat === 'none' && other.sid === ratedSid && other.ratedLost));
  const fine = other !== null && !lost;
  const dropped = lost || (!fine && before.dropped);
  const seenInCall = state.seenInCall || (clock.inCall && other !== null);
  const settling = !seenInCall && clock.now - clock.callSince < SETTLE_MS;
  const next: OtherParty = {
    present: other !== null,
    dropped,
    awaySince: fine || !clock.inCall || (settling && !dropped) ? null : (before.awaySince ?? clock.now),
    microphone: other?.microphone ?? false,
    camera: other?.camera ?? false,
    role: before.role,
  };
  const same = (Object.keys(next) as (keyof OtherParty)[]).every((key) => next[key] === before[key]);
  return { party: same ? before : next, ratedSid, seenInCall };
}

/**
 * What the continuity notice does when the party changes: it shows while the call is on and the
 * other party is away ('away', also when the cause changes from left to dropped or back), it goes
 * when they return ('back'), or nothing is said (null).
 */
export function continuityChange(before: OtherParty | null, next: OtherParty, inCall: boolean): 'away' | 'back' | null {
  const wasShown = before?.awaySince != null && inCall;
  const shown = next.awaySince !== null && inCall;
  const changedCause = shown && wasShown && (before?.dropped !== next.dropped || before.role !== next.role);
  if (shown !== wasShown || changedCause) return shown ? 'away' : 'back';
  return null;
}

/**
 * Whom a page follows in the call, by role: each role the start waits for (the token's
 * `autostart.awaits`) but the page's own, unless several of its own are awaited (a group's other
 * students); '' (one other party, whoever holds a role) for a token that does not say.
 */
export function followedRoles(awaits: readonly string[], ownRole: string | undefined): string[] {
  const roles = [...new Set(awaits)].filter((role) => role !== ownRole || awaits.filter((awaited) => awaited === role).length > 1);
  return roles.length > 0 ? roles : [''];
}

/** The party the page shows: the first one away (the notice names them), else the first followed. */
export function shownParty(parties: readonly OtherParty[]): OtherParty {
  return parties.find((party) => party.awaySince !== null) ?? parties[0] ?? NOBODY;
}

const WHO: Readonly<Record<string, 'counselor' | 'student' | 'guardian' | 'interpreter' | 'coCounselor'>> = {
  counselor: 'counselor',
  student: 'student',
  guardian: 'guardian',
  interpreter: 'interpreter',
  co_counselor: 'coCounselor',
};

/** Whom the notice names: the party's role, or, without one, the pair's other side. */
function who(party: OtherParty, localRole: 'student' | 'counselor'): 'counselor' | 'student' | 'guardian' | 'interpreter' | 'coCounselor' {
  return WHO[party.role ?? ''] ?? (localRole === 'student' ? 'counselor' : 'student');
}

/** Which words the notice uses: the role that is away, and whether their connection dropped or they left. */
export function continuityTextKey(party: OtherParty, localRole: 'student' | 'counselor'): `${ReturnType<typeof who>}${'Dropped' | 'Left'}` {
  return `${who(party, localRole)}${party.dropped ? 'Dropped' : 'Left'}`;
}

/** The words said when they are back. */
export function backTextKey(party: OtherParty, localRole: 'student' | 'counselor'): `${ReturnType<typeof who>}Back` {
  return `${who(party, localRole)}Back`;
}
