// webhook-service/usecases/ports/ClinicEvents.ts
export type ClinicEventType = 'participant.waiting' | 'participant.joined' | 'participant.left'
  | 'session.started' | 'session.ended' | 'session.cancelled' | 'session.no_show';
export interface ClinicEvent { /** stable: the same event published twice has the same id */ id: string;
  type: ClinicEventType; sessionId: string;
  /** the session's clinic: its events go to that clinic's endpoints only */ clinicId: string;
  occurredAt: Date; data: Record<string, unknown>; }
export interface ClinicEvents { /** durable once resolved; throws ServiceError queue_unavailable */
  publish(events: readonly ClinicEvent[]): Promise<void>; }
