// The webhook intake, as a story: verify the signature, decode the event, refuse stale ones,
// find the room's open session, store the event (the insert is the dedupe), work out what it
// changes by replaying the log, and hand the LiveKit-facing work to the queue. It returns only
// once the event is stored and its jobs are queued, so answering 200 means nothing is lost.
//
// A duplicate is not an early exit: the effects are recomputed and re-applied, so a crash
// between storing an event and queueing its job is repaired by LiveKit's retry; job ids and the
// activation record make the re-application a no-op otherwise.
import { decide, decodeWebhookEvent, roleOf, type Effect, type SessionEvent, type WebhookEventLike } from '../../plugin';
import type { Clock } from './ports/Clock';
import { ServiceError } from '../errors';
import type { WebhookVerifier } from './ports/WebhookVerifier';
import type { ActivationJobs } from './ports/ActivationJobs';
import type { SessionRecord, SessionStore, StoredEvent } from './ports/SessionStore';
import { appointmentOf, replayEvents } from './sessionState';

export interface IngestWebhookDeps {
  verifier: WebhookVerifier;
  store: SessionStore;
  jobs: ActivationJobs;
  clock: Clock;
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

async function applyEffects(deps: IngestWebhookDeps, session: SessionRecord, stored: StoredEvent, effects: Effect[]): Promise<void> {
  for (const effect of effects) {
    switch (effect.type) {
      case 'activate':
        if (!(await deps.store.findActivation(session.id))) {
          await deps.jobs.requestActivation({ sessionId: session.id, eventId: stored.id, receivedAt: stored.receivedAt.getTime() });
        } else if (stored.kind === 'participant_joined' && stored.participant && stored.participant.role !== 'guest') {
          // Already active, yet the replay says this join completes the pair: a leave stamped in
          // whole seconds sorted before the other side's millisecond join, so the log shows no
          // earlier overlap. For the service the session is active; tell the joiner like any rejoin.
          await deps.jobs.requestNotify({ sessionId: session.id, identity: stored.participant.identity, eventId: stored.id });
        }
        break;
      case 'notify_active':
        // The job checks the activation record: before it exists, the activation's broadcast
        // reaches this participant anyway (it is already connected).
        await deps.jobs.requestNotify({ sessionId: session.id, identity: effect.identity, eventId: stored.id });
        break;
      case 'end':
        await deps.store.releaseRoom(session);
        break;
    }
  }
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

  const others = (await deps.store.listEvents(session.id)).filter((logged) => logged.id !== event.id);
  const { effects } = decide(replayEvents(session, others), event);
  await applyEffects(deps, session, stored, effects);
  return { outcome: inserted ? 'accepted' : 'duplicate', event: eventType, sessionId: session.id, effects: effects.map((effect) => effect.type) };
}
