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
  listFailed(limit: number): Promise<FailedDelivery[]>;
  /** Queues the delivery again (after the session's newer events); false when there is no such failed delivery. */
  retry(id: string): Promise<boolean>;
  /** Removes deliveries settled (delivered or given up) before `cutoff`: retention. Returns how many. */
  expireSettled(cutoff: Date): Promise<number>;
}
