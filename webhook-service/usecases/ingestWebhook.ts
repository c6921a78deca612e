// The webhook intake, as a story: verify the signature, decode the event, refuse stale ones,
// find the room's open session, store the event (the insert is the dedupe), decide what it
// changes from the session's recorded state, and hand the rest to the queue. It returns only
// once the event is stored and its jobs are queued, so answering 200 means nothing is lost.
//
// A duplicate is not an early exit: its effects are decided and carried out again, so a crash
// between storing an event and queueing its job is repaired by LiveKit's retry; job ids make
// the repetition a no-op otherwise. Likewise a pair complete without a recorded activation asks
// for the activation again on every event, whatever happened to an earlier job.
import { decide, decodeWebhookEvent, roleOf, type Effect, type LifecycleRules, type SessionEvent, type WebhookEventLike } from '../../plugin';
import { ServiceError } from '../errors';
import { carryOut } from './carryOut';
import type { Clock } from './ports/Clock';
import type { ClinicEvent, ClinicEvents } from './ports/ClinicEvents';
import type { LifecycleJobs } from './ports/LifecycleJobs';
import type { SessionRecord, SessionStore, StoredEvent } from './ports/SessionStore';
import type { WebhookVerifier } from './ports/WebhookVerifier';
import { appointmentOf, loadRecords, stateOf } from './sessionState';

export interface IngestWebhookDeps {
  verifier: WebhookVerifier;
  store: SessionStore;
  jobs: LifecycleJobs;
  events: ClinicEvents;
  clock: Clock;
  rules: LifecycleRules;
  /** Largest accepted distance between an event's createdAt and now, in seconds. */
  maxAgeSeconds: number;
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

function ensureFresh(raw: WebhookEventLike, event: SessionEvent, now: number, maxAgeSeconds: number): void {
  const at = createdAtMs(raw) ?? event.at;
  if (Math.abs(now - at) > maxAgeSeconds * 1000) {
    throw new ServiceError('webhook_stale', `event ${event.id} was created ${Math.round((now - at) / 1000)} s from now`);
  }
}

function toStoredEvent(event: SessionEvent, session: SessionRecord, receivedAt: number): StoredEvent {
  return {
    id: event.id,
    sessionId: session.id,
    kind: event.kind,
    at: new Date(event.at),
    participant:
      'participant' in event
        ? { ...event.participant, attributes: { ...event.participant.attributes }, role: roleOf(appointmentOf(session), event.participant) }
        : null,
    receivedAt: new Date(receivedAt),
  };
}

/** participant.joined / participant.left for the clinic, under LiveKit's event id. */
function presenceEvent(session: SessionRecord, stored: StoredEvent): ClinicEvent | null {
  if (!stored.participant || (stored.kind !== 'participant_joined' && stored.kind !== 'participant_left')) return null;
  return {
    id: stored.id,
    type: stored.kind === 'participant_joined' ? 'participant.joined' : 'participant.left',
    sessionId: session.id,
    occurredAt: stored.at,
    data: { roomName: session.roomName, identity: stored.participant.identity, role: stored.participant.role, participantSid: stored.participant.sid, at: stored.at.toISOString() },
  };
}

export async function ingestWebhook(deps: IngestWebhookDeps, rawBody: string, authorization: string | undefined): Promise<IngestOutcome> {
  const raw = await deps.verifier.verify(rawBody, authorization);
  const decoded = decodeWebhookEvent(raw);
  const eventType = raw.event ?? '';
  if (!decoded.ok) {
    if (decoded.code === 'ignored_event_type') return { outcome: 'ignored', event: eventType, reason: 'event_type' };
    throw new ServiceError('webhook_malformed', decoded.reason);
  }
  const event = decoded.event;
  const now = deps.clock.now();
  ensureFresh(raw, event, now, deps.maxAgeSeconds);

  const session = await deps.store.findOpenSessionByRoom(event.room);
  if (!session) return { outcome: 'ignored', event: eventType, reason: 'no_session' };

  const { inserted, stored } = await deps.store.recordEvent(toStoredEvent(event, session, now));
  // A redelivery of an event stored for an earlier session of this room is not this one's.
  if (stored.sessionId !== session.id) return { outcome: 'ignored', event: eventType, reason: 'other_session' };

  const records = await loadRecords(deps.store, session.id);
  const { effects } = decide(stateOf(records, deps.rules, event.id), event);
  // The clinic hears of the presence first, then of what it caused (someone waiting).
  const presence = presenceEvent(session, stored);
  if (presence) await deps.events.publish([presence]);
  await carryOut(deps, session, effects, { id: stored.id, receivedAt: stored.receivedAt.getTime() });
  return { outcome: inserted ? 'accepted' : 'duplicate', event: eventType, sessionId: session.id, effects: effects.map((effect) => effect.type) };
}
