# Schemathesis hooks for the clinic API's conformance run (test/integration/service/apiConformance.test.ts).
#
# Four rules of the API are true but cannot be written in JSON Schema:
#   - POST /v1/sessions: the student and the counselor are two different identities.
#   - POST /v1/sessions: the appointment's people make sense together (a student and a counselor,
#     named as the pair or in participants; nobody twice; a reachable quorum...): the plugin's
#     checkAppointment, answered as "participants: <reason> (<code>)"; likewise a person PUT on a
#     session (an observer can never be required).
#   - any `cursor`: only what a previous page answered as nextCursor (an opaque position).
#   - an Idempotency-Key names one request: the same key with another request is refused (422).
# The generators are steered around the first and the last (they would otherwise spend most of
# their budget on them); where they cannot be (the coverage phase runs no map hook), the
# refusal is forgiven, recognised by the error the service answers. Any other "schema-valid
# request rejected" still fails the run.
import json
import re
import uuid
from collections.abc import Mapping

import schemathesis

# "Schema-valid request rejected" (the positive_data_acceptance check)
REJECTED_POSITIVE_DATA = "ST202"


def _error(response):
    try:
        return json.loads(response.content).get("error") or {}
    except (ValueError, AttributeError):
        return {}


def _same_identities(case):
    body = case.body if isinstance(case.body, dict) else {}
    return case.operation.label == "POST /v1/sessions" and body.get("studentIdentity") == body.get("counselorIdentity")


def _identity(value):
    return isinstance(value, str) and 1 <= len(value) <= 256


@schemathesis.hook
def map_body(context, body):
    """Generators love equal strings: a create with the same identity twice says only that rule
    again, so the counselor's is made different (still 1-256 characters, still as valid or not)."""
    operation = getattr(context, "operation", None)
    if operation is None or operation.label != "POST /v1/sessions" or not isinstance(body, dict):
        return body
    student, counselor = body.get("studentIdentity"), body.get("counselorIdentity")
    if _identity(student) and student == counselor:
        body = {**body, "counselorIdentity": counselor + "~" if len(counselor) < 256 else counselor[:-1] + ("~" if counselor[-1] != "~" else "^")}
    return body


IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
MADE_UNIQUE = re.compile(r"-[0-9a-f]{32}$")


@schemathesis.hook
def map_headers(context, headers):
    """A valid Idempotency-Key is made unique to this request (still 1-255 printable characters):
    generators repeat short values, and a key repeated with another request is refused by design."""
    if not isinstance(headers, Mapping):
        return headers
    for name, value in headers.items():
        if name.lower() == "idempotency-key" and isinstance(value, str) and IDEMPOTENCY_KEY.match(value):
            return {**dict(headers), name: value[:222] + "-" + uuid.uuid4().hex}
    return headers


def _idempotency_key(case):
    headers = case.headers if isinstance(case.headers, Mapping) else {}
    return next((value for name, value in headers.items() if name.lower() == "idempotency-key"), None)


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if getattr(failure, "code", None) != REJECTED_POSITIVE_DATA:
        return True
    error = _error(response)
    # The coverage phase does not run map_headers: its repeated keys are refused as designed. A
    # key made unique above that is still called reused is a real fault, and fails the run.
    if response.status_code == 422 and error.get("code") == "idempotency_key_reused":
        key = _idempotency_key(case)
        return not (isinstance(key, str) and not MADE_UNIQUE.search(key))
    if response.status_code != 400 or error.get("code") != "invalid_request":
        return True
    message = error.get("message", "")
    if _same_identities(case) and message == "the student and the counselor must be different identities":
        return False
    if isinstance(case.query, dict) and "cursor" in case.query and message == "cursor: not a cursor this API gave":
        return False
    if case.operation.label == "POST /v1/sessions" and (message in APPOINTMENT_MESSAGES or APPOINTMENT_PROBLEM.match(message)):
        return False
    # A person put on an appointment meets the same rules (an observer marked required is refused).
    if case.operation.label == PUT_PARTICIPANT and APPOINTMENT_PROBLEM.match(message):
        return False
    return True


PUT_PARTICIPANT = "PUT /v1/sessions/{id}/participants/{identity}"


# The plugin's AppointmentProblem codes (plugin/participants.ts), as createSession answers them.
APPOINTMENT_PROBLEM = re.compile(
    r"^participants: .+ \((duplicate_participant|observer_required|role_conflict|too_many_participants|too_many_students|quorum_unreachable|nobody_required)\)$"
)
APPOINTMENT_MESSAGES = {
    "studentIdentity and counselorIdentity: give them, or list a student and a counselor in participants",
    'group.startAt "scheduled" needs a scheduledStart',
}
