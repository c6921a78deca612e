// The one table from the service's error codes to HTTP statuses, and the error body every route
// answers with: { "error": { "code", "message" } }. 5xx answers to LiveKit mean "retry".
import type { ServiceErrorCode } from '../errors';

export const ERROR_STATUS: Readonly<Record<ServiceErrorCode, number>> = {
  webhook_unauthorized: 401,
  webhook_malformed: 400,
  webhook_stale: 400,
  payload_too_large: 413,
  clinic_unauthorized: 401,
  clinic_forbidden: 403,
  idempotency_key_reused: 422,
  idempotency_key_in_flight: 409,
  participant_unauthorized: 401,
  participant_forbidden: 403,
  rate_limited: 429,
  invalid_request: 400,
  session_not_found: 404,
  delivery_not_found: 404,
  external_id_conflict: 409,
  session_ended: 409,
  session_cancelled: 409,
  session_no_show: 409,
  session_not_active: 409,
  session_active: 409,
  appointment_conflict: 409,
  identity_not_in_session: 403,
  store_unavailable: 503,
  queue_unavailable: 503,
  livekit_unavailable: 503,
  livekit_rejected: 502,
  internal: 500,
};

export interface ErrorBody {
  error: { code: string; message: string };
}

export const errorBody = (code: string, message: string): ErrorBody => ({ error: { code, message } });
