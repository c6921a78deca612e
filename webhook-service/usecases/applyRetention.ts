// Retention: closed sessions older than the clinic's retention period are removed with all they
// recorded (events, decisions, audit entries, their copy in Redis), a batch at a time, so a
// pass never holds much and a crash half-way is finished by the next pass. Open sessions are
// never touched, whatever their age. Deliveries to the clinic's backend that were settled
// (delivered or given up) before the same cutoff go too.
import type { Clock } from './ports/Clock';
import type { AuditTrail } from './ports/AuditTrail';
import type { ClinicDeliveries } from './ports/ClinicDeliveries';
import type { SessionStore } from './ports/SessionStore';

export interface RetentionDeps {
  store: SessionStore;
  audit: AuditTrail;
  deliveries: Pick<ClinicDeliveries, 'expireSettled'>;
  clock: Clock;
  /** Closed sessions older than this many days go. */
  retentionDays: number;
}

export async function applyRetention(deps: RetentionDeps, batchSize = 500): Promise<{ deleted: number; deliveriesExpired: number }> {
  const cutoff = new Date(deps.clock.now() - deps.retentionDays * 24 * 3600 * 1000);
  const deliveriesExpired = await deps.deliveries.expireSettled(cutoff);
  let deleted = 0;
  for (;;) {
    const batch = await deps.store.listClosedBefore(cutoff, batchSize);
    for (const sessionId of batch) {
      await deps.audit.deleteForSession(sessionId);
      await deps.store.deleteSession(sessionId);
      deleted += 1;
    }
    if (batch.length < batchSize) return { deleted, deliveriesExpired };
  }
}
