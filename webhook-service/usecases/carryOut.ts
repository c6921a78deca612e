// Carrying out what the rules asked for after a LiveKit event or a timer: queue the activation,
// tell a returning participant, arm the rejoin grace, a group's scheduled start or the no-show check again, let the clinic know someone is waiting.
// Every request is idempotent, so carrying out the same effects twice does no harm.
import { rolesOf, type Effect } from '../../plugin';
import type { ClinicEvent, ClinicEvents } from './ports/ClinicEvents';
import type { LifecycleJobs } from './ports/LifecycleJobs';
import type { SessionRecord } from './ports/SessionStore';

export interface CarryOutDeps {
  jobs: LifecycleJobs;
  events: ClinicEvents;
}

/** What caused the effects: a LiveKit event (its id) or a timer, and when it reached us. */
export interface Cause {
  id: string;
  receivedAt: number;
}

export async function carryOut(deps: CarryOutDeps, session: SessionRecord, effects: readonly Effect[], cause: Cause): Promise<void> {
  const clinicEvents: ClinicEvent[] = [];
  for (const effect of effects) {
    switch (effect.type) {
      case 'activate':
        await deps.jobs.requestActivation({ sessionId: session.id, eventId: cause.id, receivedAt: cause.receivedAt });
        break;
      case 'notify_active':
        await deps.jobs.requestNotify({ sessionId: session.id, identity: effect.identity, eventId: cause.id });
        break;
      case 'await_return':
        await deps.jobs.scheduleGraceCheck({ sessionId: session.id, dueAt: effect.dueAt });
        break;
      case 'await_start':
        await deps.jobs.scheduleStartCheck({ sessionId: session.id, dueAt: effect.dueAt });
        break;
      case 'await_no_show':
        await deps.jobs.scheduleNoShowCheck({ sessionId: session.id, dueAt: effect.dueAt });
        break;
      case 'waiting':
        clinicEvents.push({
          id: `waiting_${cause.id}`,
          type: 'participant.waiting',
          sessionId: session.id,
          clinicId: session.clinicId,
          occurredAt: new Date(effect.since),
          data: {
            roomName: session.roomName,
            identity: effect.identity,
            role: effect.role,
            waitingSince: new Date(effect.since).toISOString(),
            // Identities the session's own record lists, by role; never a label or a name.
            waitingFor: rolesOf(effect.missing),
            missing: effect.missing,
          },
        });
        break;
      case 'close':
        // Closing is decided and recorded by closeSession, never carried out from here.
        break;
    }
  }
  if (clinicEvents.length > 0) await deps.events.publish(clinicEvents);
}
