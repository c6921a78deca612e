// The error-code table: LiveKit retries 5xx (not 501) and 429 and gives up on other 4xx, so the
// split between "the request is wrong" and "try again later" decides what gets redelivered.
import type { ServiceErrorCode } from '../../../webhook-service/errors';
import { ERROR_STATUS, errorBody } from '../../../webhook-service/http/errorStatus';

const retryable: ServiceErrorCode[] = ['store_unavailable', 'queue_unavailable', 'livekit_unavailable'];

test('when a dependency is unavailable, then the status is 503 so LiveKit retries the webhook', () => {
  for (const code of retryable) expect(ERROR_STATUS[code]).toBe(503);
});

test('when a webhook cannot be trusted or used, then the status is a 4xx LiveKit does not retry', () => {
  expect(ERROR_STATUS.webhook_unauthorized).toBe(401);
  expect(ERROR_STATUS.webhook_malformed).toBe(400);
  expect(ERROR_STATUS.webhook_stale).toBe(400);
  expect(ERROR_STATUS.payload_too_large).toBe(413);
});

test('when the clinic API refuses a call, then each refusal has its own status', () => {
  expect(ERROR_STATUS).toMatchObject({
    clinic_unauthorized: 401,
    invalid_request: 400,
    identity_not_in_session: 403,
    session_not_found: 404,
    external_id_conflict: 409,
    session_ended: 409,
  });
});

test('when any other code fails a request, then it is a 5xx other than 501, and 429 only for a rate limit of /v1 (LiveKit retries 429, and the webhook intake is never limited)', () => {
  for (const [code, status] of Object.entries(ERROR_STATUS)) {
    expect(status).not.toBe(501);
    if (code !== 'rate_limited') expect(status).not.toBe(429);
    if (!retryable.includes(code as ServiceErrorCode) && status >= 500) expect(['livekit_rejected', 'internal']).toContain(code);
  }
});

test('when an error is answered, then the body has the documented shape', () => {
  expect(errorBody('external_id_conflict', 'taken')).toEqual({ error: { code: 'external_id_conflict', message: 'taken' } });
});
