// The port through which use cases ask for work done later, in a worker: anything that talks to
// LiveKit, and the session's timers. Requests are idempotent: asking twice for the same thing
// runs it once while the first is pending, and a request after a failed run runs it again.

export interface ActivateJob {
  sessionId: string;
  /** The event that completed the pair (or what asked again). */
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

/** Tell the room the session closed (snapshot, session_ended), then delete the room. */
export interface CloseJob {
  sessionId: string;
}

/** A timer: check the session at `dueAt` (epoch ms). */
export interface TimerJob {
  sessionId: string;
  dueAt: number;
}

export interface LifecycleJobs {
  /** Throws ServiceError `queue_unavailable` (so do all of them). */
  requestActivation(job: ActivateJob): Promise<void>;
  requestNotify(job: NotifyJob): Promise<void>;
  requestClose(job: CloseJob): Promise<void>;
  /** The rejoin grace of an active session nobody holding it is connected to. */
  scheduleGraceCheck(job: TimerJob): Promise<void>;
  /** The scheduled start of a group that starts at its scheduled time. */
  scheduleStartCheck(job: TimerJob): Promise<void>;
  /** The end of the no-show window of a scheduled session. */
  scheduleNoShowCheck(job: TimerJob): Promise<void>;
}
