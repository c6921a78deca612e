// The service's error type: a string code that says what went wrong in the clinic's terms and
// the cause underneath. No HTTP statuses here: the HTTP layer maps codes (http/errorStatus.ts),
// the worker decides what is worth a retry.

export type ServiceErrorCode =
  /** Webhook without a valid LiveKit signature over its exact body. */
  | 'webhook_unauthorized'
  /** Signed webhook whose body is not a usable LiveKit event. */
  | 'webhook_malformed'
  /** Webhook whose createdAt is outside the accepted window (a replay, or a badly skewed clock). */
  | 'webhook_stale'
  /** Request body over the configured limit. */
  | 'payload_too_large'
  /** Clinic API call without the right bearer token. */
  | 'clinic_unauthorized'
  /** A clinic API key without the scope this call needs. */
  | 'clinic_forbidden'
  /** An Idempotency-Key already used with another request (another route or body). */
  | 'idempotency_key_reused'
  /** An Idempotency-Key whose first request has not answered yet. */
  | 'idempotency_key_in_flight'
  /** A participant's call without a valid credential of theirs (a join token signed with our LiveKit key). */
  | 'participant_unauthorized'
  /** A participant's credential that does not allow this action (a student ending the session). */
  | 'participant_forbidden'
  /** Too many requests from one address or with one credential (Retry-After says when to retry). */
  | 'rate_limited'
  /** Request body or parameters that do not match the API. */
  | 'invalid_request'
  | 'session_not_found'
  /** No failed clinic webhook delivery under that id. */
  | 'delivery_not_found'
  /** The clinic's appointment id already names a session created with other details. */
  | 'external_id_conflict'
  /** The session has ended; it takes no more joins or commands but `end`. */
  | 'session_ended'
  /** The session was cancelled before it started. */
  | 'session_cancelled'
  /** The session was a no-show. */
  | 'session_no_show'
  /** `end` before the start (cancel it instead). */
  | 'session_not_active'
  /** `cancel` after the start (end it instead). */
  | 'session_active'
  /** A change of the appointment's people the session cannot take (its last counselor, a seventeenth person, the pair's role). */
  | 'appointment_conflict'
  /** The identity is neither the session's student nor its counselor. */
  | 'identity_not_in_session'
  | 'store_unavailable'
  | 'queue_unavailable'
  /** LiveKit could not be reached or failed on its side (worth a retry). */
  | 'livekit_unavailable'
  /** LiveKit refused the call (bad credentials, bad request): a retry cannot help. */
  | 'livekit_rejected'
  | 'internal';

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ServiceError';
  }

  static storeUnavailable(cause: unknown): ServiceError {
    return new ServiceError('store_unavailable', 'the session store is unavailable', { cause });
  }

  static queueUnavailable(cause: unknown): ServiceError {
    return new ServiceError('queue_unavailable', 'the job queue is unavailable', { cause });
  }

  static notFound(sessionId: string): ServiceError {
    return new ServiceError('session_not_found', `no session ${sessionId}`);
  }
}

export const isServiceError = (error: unknown): error is ServiceError => error instanceof ServiceError;

/**
 * Runs an adapter's call to its backend: whatever the backend throws comes out as `wrap(cause)`,
 * so the caller sees one code; an error already in the service's terms goes through as it is.
 */
export async function failingAs<T>(wrap: (cause: unknown) => ServiceError, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw isServiceError(error) ? error : wrap(error);
  }
}

/** A call to a store (MongoDB, the Redis copy, the locks): its failures are `store_unavailable`. */
export const storeCall = <T>(operation: () => Promise<T>): Promise<T> => failingAs(ServiceError.storeUnavailable, operation);

/** A call to the job queue: its failures are `queue_unavailable`. */
export const queueCall = <T>(operation: () => Promise<T>): Promise<T> => failingAs(ServiceError.queueUnavailable, operation);
