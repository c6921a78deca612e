// The failed clinic webhook deliveries a clinic may see and send again: those of its own
// sessions. A delivery whose session is gone (retention) or another clinic's is not listed, and
// retrying it answers as for an id that does not exist.
import { ServiceError } from '../errors';
import type { ClinicDeliveries, FailedDelivery } from './ports/ClinicDeliveries';
import type { SessionStore } from './ports/SessionStore';

export interface ClinicDeliveriesDeps {
  store: SessionStore;
  deliveries: ClinicDeliveries;
}

/** The clinic's failed deliveries among the `scan` oldest failed ones. */
export async function listFailedDeliveries(deps: ClinicDeliveriesDeps, clinicId: string, scan: number): Promise<FailedDelivery[]> {
  const failed = await deps.deliveries.listFailed(scan);
  const owners = new Map<string, string | null>();
  for (const sessionId of new Set(failed.map((delivery) => delivery.sessionId))) {
    owners.set(sessionId, (await deps.store.findSession(sessionId))?.clinicId ?? null);
  }
  return failed.filter((delivery) => owners.get(delivery.sessionId) === clinicId);
}

/** Queues one of the clinic's failed deliveries again. */
export async function retryDelivery(deps: ClinicDeliveriesDeps, clinicId: string, deliveryId: string, scan: number): Promise<void> {
  const delivery = (await deps.deliveries.listFailed(scan)).find((candidate) => candidate.id === deliveryId);
  const owner = delivery ? (await deps.store.findSession(delivery.sessionId))?.clinicId : null;
  if (!delivery || owner !== clinicId || !(await deps.deliveries.retry(deliveryId))) {
    throw new ServiceError('delivery_not_found', `no failed delivery ${deliveryId}`);
  }
}
