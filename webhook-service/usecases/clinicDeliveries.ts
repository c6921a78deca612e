// The failed clinic webhook deliveries a clinic may see and send again: those of its own
// sessions, each delivery carrying its session's clinic. Read a page at a time by clinic (an
// index in MongoDB), so one clinic's many failures never hide another's; retrying another
// clinic's delivery answers as for an id that does not exist.
import { ServiceError } from '../errors';
import { decodeCursor, encodeCursor } from './pageCursor';
import type { ClinicDeliveries, FailedDelivery } from './ports/ClinicDeliveries';

export interface ClinicDeliveriesDeps {
  deliveries: ClinicDeliveries;
}

export interface FailedDeliveryPage {
  deliveries: FailedDelivery[];
  /** Pass back as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

/** One page of the clinic's failed deliveries, in the order they gave up. */
export async function listFailedDeliveries(deps: ClinicDeliveriesDeps, clinicId: string, page: { limit: number; cursor: string | null }): Promise<FailedDeliveryPage> {
  const after = page.cursor === null ? null : decodeCursor(page.cursor);
  // One more than asked: whether a next page exists, without a count.
  const found = await deps.deliveries.listFailed(clinicId, after && { failedAt: after.at, id: after.id }, page.limit + 1);
  const deliveries = found.slice(0, page.limit);
  const last = deliveries.at(-1);
  return { deliveries, nextCursor: found.length > page.limit && last ? encodeCursor({ at: last.failedAt, id: last.id }) : null };
}

/** Queues one of the clinic's failed deliveries again. */
export async function retryDelivery(deps: ClinicDeliveriesDeps, clinicId: string, deliveryId: string): Promise<void> {
  if (!(await deps.deliveries.retry(clinicId, deliveryId))) throw new ServiceError('delivery_not_found', `no failed delivery ${deliveryId}`);
}
