// The port of the outbox's deliveries as the clinic sees them: those that gave up, listed and sent
// again on request; and their retention.

export interface FailedDelivery {
  id: string;
  endpoint: string;
  eventId: string;
  type: string;
  sessionId: string;
  error: string;
  failedAt: Date;
}

export interface ClinicDeliveries {
  /** The clinic's failed deliveries in the order they gave up, from just after `after` (the last of the page before), at most `limit`. */
  listFailed(clinicId: string, after: { failedAt: Date; id: string } | null, limit: number): Promise<FailedDelivery[]>;
  /** Queues one of the clinic's failed deliveries again (after the session's newer events); false when it has no such failed delivery. */
  retry(clinicId: string, id: string): Promise<boolean>;
  /** Removes deliveries settled (delivered or given up) before `cutoff`: retention. Returns how many. */
  expireSettled(cutoff: Date): Promise<number>;
}
