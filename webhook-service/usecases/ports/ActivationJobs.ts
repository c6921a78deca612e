// The port through which the webhook intake asks for work that talks to LiveKit: activating a
// session (snapshot + broadcast) and telling one participant who (re)joined an active session.
// Requests are idempotent: asking twice for the same thing runs it once while the first is queued.

export interface ActivateJob {
  sessionId: string;
  /** The event that completed the pair. */
  eventId: string;
  /** When that event reached us (epoch ms): the start of the activation latency. */
  receivedAt: number;
}

export interface NotifyJob {
  sessionId: string;
  identity: string;
  /** The participant_joined event; one notification per event. */
  eventId: string;
}

export interface ActivationJobs {
  /** Throws ServiceError `queue_unavailable`. */
  requestActivation(job: ActivateJob): Promise<void>;
  /** Throws ServiceError `queue_unavailable`. */
  requestNotify(job: NotifyJob): Promise<void>;
}
