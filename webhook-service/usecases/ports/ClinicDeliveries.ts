// The port of the clinic webhooks that gave up: listed for the clinic, and sent again on request.

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
}
