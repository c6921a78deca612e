// The webhook intake, as a story: verify the signature, decode the event, refuse stale ones,
// find the session the room was named for (a room the service did not name is not ours), and,
// holding the session's lock, store the event (the insert is the dedupe), fold it into the
// session's kept state and decide what it changes against the recorded decisions
// (sessionState.recordAndFold); then tell the clinic and hand the rest to the queue. It returns
// only once the event is stored and its jobs are queued, so answering 200 means nothing is lost.
// Its cost does not grow with the session's history: the kept fold is read and written whole
// (its size is the session's sids), and the events are read only to rebuild a fold that does not
// count them all.
//
// A duplicate is not an early exit: its effects are decided and carried out again, so a crash
// between storing an event and queueing its job is repaired by LiveKit's retry; job ids make
// the repetition a no-op otherwise. Likewise a pair complete without a recorded activation asks
// for the activation again on every event, whatever happened to an earlier job.
import { decodeWebhookEvent, type Effect, type LifecycleRules, type SessionEvent, type WebhookEventLike } from '../../plugin';
import { ServiceError } from '../errors';
import { carryOut } from './carryOut';
import type { Clock } from './ports/Clock';
import type { ClinicEvent, ClinicEvents } from './ports/ClinicEvents';
import type { LifecycleJobs } from './ports/LifecycleJobs';
import type { SessionLocks } from './ports/SessionLocks';
import type { SessionFolds } from './ports/SessionFolds';
import type { ReconcileEvidence, SessionRecord, SessionStore, StoredEvent } from './ports/SessionStore';
import type { WebhookVerifier } from './ports/WebhookVerifier';
import { recordAndFold } from './sessionState';

export interface IngestWebhookDeps {
  verifier: WebhookVerifier;
  store: SessionStore;
  /** The sessions' kept folds: a webhook reads and writes one, never the session's events. */
  folds: SessionFolds;
  locks: SessionLocks;
  jobs: LifecycleJobs;
  events: ClinicEvents;
  clock: Clock;
  rules: LifecycleRules;
  /** Largest accepted distance between an event's createdAt and now, in seconds. */
  maxAgeSeconds: number;
  /** Told, for every signed event, how far our clock is past its createdAt (ms; negative: LiveKit's clock is ahead), stale or not. */
  observeAge?: (ageMs: number) => void;
}

export type IngestOutcome =
  | { outcome: 'ignored'; event: string; reason: 'event_type' | 'no_session' | 'other_session' }
  | { outcome: 'accepted' | 'duplicate'; event: string; sessionId: string; effects: Effect['type'][] };

/** createdAt in epoch ms, or null when absent (the decoder already refused a malformed one). */
function createdAtMs(raw: WebhookEventLike): number | null {
  const value = raw.createdAt;
  if (value === undefined || value === null || value === '') return null;
  const seconds = Number(value);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : null;
}

function ensureFresh(raw: WebhookEventLike, event: SessionEvent, now: number, maxAgeSeconds: number, observeAge?: (ageMs: number) => void): void {
  const at = createdAtMs(raw) ?? event.at;
  observeAge?.(now - at);
  if (Math.abs(now - at) > maxAgeSeconds * 1000) {
    throw new ServiceError('webhook_stale', `event ${event.id} was created ${Math.round((now - at) / 1000)} s from now`);
  }
}

/** participant.joined / participant.left for the clinic, under LiveKit's event id. */
function presenceEvent(session: SessionRecord, stored: StoredEvent): ClinicEvent | null {
  if (!stored.participant || (stored.kind !== 'participant_joined' && stored.kind !== 'participant_left')) return null;
  return {
    id: stored.id,
    type: stored.kind === 'participant_joined' ? 'participant.joined' : 'participant.left',
    sessionId: session.id,
    clinicId: session.clinicId,
    occurredAt: stored.at,
    data: { roomName: session.roomName, identity: stored.participant.identity, role: stored.participant.role, participantSid: stored.participant.sid, at: stored.at.toISOString() },
  };
}

export type TakeEventDeps = Omit<IngestWebhookDeps, 'verifier' | 'maxAgeSeconds' | 'observeAge'>;

export type TakeOutcome = { outcome: 'ignored'; reason: 'other_session' } | { outcome: 'accepted' | 'duplicate'; effects: Effect[] };

export interface TakeEventOptions {
  /** Inferred by reconciliation from this LiveKit listing, not heard from a webhook. */
  evidence?: ReconcileEvidence;
}

/**
 * Takes one LiveKit event for its session, from a webhook or inferred by reconciliation (with
 * its evidence): store, fold and decide it under the session's lock, then tell the clinic and
 * queue what it asks for.
 */
export async function takeEvent(deps: TakeEventDeps, session: SessionRecord, event: SessionEvent, receivedAt: number, options: TakeEventOptions = {}): Promise<TakeOutcome> {
  const recorded = await deps.locks.withLock(session.id, () => recordAndFold(deps, deps.rules, session, event, receivedAt, options.evidence ?? null));
  // A redelivery of an event stored for an earlier session of this room is not this one's.
  if (!recorded.decided) return { outcome: 'ignored', reason: 'other_session' };
  const { closed, effects } = recorded.decided;
  // The clinic hears of the presence first, then of what it caused (someone waiting). After the
  // session closed, its room's last leaves complete the record but are not news to the clinic.
  const presence = closed ? null : presenceEvent(session, recorded.stored);
  if (presence) await deps.events.publish([presence]);
  await carryOut(deps, session, effects, { id: recorded.stored.id, receivedAt: recorded.stored.receivedAt.getTime() });
  return { outcome: recorded.inserted ? 'accepted' : 'duplicate', effects };
}

export async function ingestWebhook(deps: IngestWebhookDeps, rawBody: string, authorization: string | undefined): Promise<IngestOutcome> {
  const raw = await deps.verifier.verify(rawBody, authorization);
  const decoded = decodeWebhookEvent(raw);
  const eventType = raw.event ?? '';
  if (!decoded.ok) {
    if (decoded.code === 'ignored_event_type') return { outcome: 'ignored', event: eventType, reason: 'event_type' };
    throw new ServiceError('webhook_malformed', decoded.reason);
  }
  const { event, sessionId } = decoded;
  const now = deps.clock.now();
  ensureFresh(raw, event, now, deps.maxAgeSeconds, deps.observeAge);

  // Each session has a room of its own, named from its id (the decoder reads it off the room's
  // name); a room named by a clinic belongs to a session created before that (still open) or to
  // nobody we know.
  const session = sessionId ? await deps.store.findSession(sessionId) : await deps.store.findOpenSessionByRoom(event.room);
  if (!session) return { outcome: 'ignored', event: eventType, reason: 'no_session' };
  const taken = await takeEvent(deps, session, event, now);
  if (taken.outcome === 'ignored') return { outcome: 'ignored', event: eventType, reason: taken.reason };
  return { outcome: taken.outcome, event: eventType, sessionId: session.id, effects: taken.effects.map((effect) => effect.type) };
}
