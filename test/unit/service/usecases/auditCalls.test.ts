// The audit rule of the calls that give or take away access, on a recording audit and a pinned
// clock: what is written, when, and what a refusal or an audit that cannot be written does.
import { ServiceError } from '../../../../webhook-service/errors';
import { createLogger } from '../../../../webhook-service/logger';
import { auditClinicCall, auditParticipantCall, type AuditedCall } from '../../../../webhook-service/usecases/auditCalls';
import type { CallAudit, CallEntry } from '../../../../webhook-service/usecases/ports/AuditTrail';
import { ManualClock } from '../../../support/fakes/fakes';

const T0 = Date.parse('2030-01-02T03:00:00.000Z');

function recordingAudit() {
  const written: CallEntry[] = [];
  const audit: CallAudit & { written: CallEntry[]; failing: Error | null } = {
    written,
    failing: null,
    async record(entry) {
      if (audit.failing) throw audit.failing;
      written.push(entry);
    },
  };
  return { calls: audit, clock: new ManualClock(T0), logger: createLogger('silent') };
}

const mint: AuditedCall = { action: 'token.mint', keyName: 'portal-a', sessionId: 'ses_1', identity: 'stu' };
const credential = { identity: 'cou', sessionId: 'ses_1', room: 'room-ses_1' };

test('when a call goes through, then its entry is written before its answer comes back, with the outcome in the clinic words', async () => {
  const deps = recordingAudit();
  const done = await auditClinicCall(deps, { ...mint, action: 'session.create', sessionId: null, identity: null }, async () => {
    expect(deps.calls.written).toHaveLength(0);
    return { value: 'the session', sessionId: 'ses_new', result: 'created' as const };
  });
  expect(done.value).toBe('the session');
  expect(deps.calls.written).toEqual([
    { id: expect.stringMatching(/^aud_/), keyName: 'portal-a', action: 'session.create', sessionId: 'ses_new', identity: null, at: new Date(T0), outcome: { result: 'created' } },
  ]);
});

test('when the audit cannot be written, then the call fails and its answer (a token) is not handed out', async () => {
  const deps = recordingAudit();
  deps.calls.failing = ServiceError.storeUnavailable(new Error('audit collection away'));
  await expect(auditClinicCall(deps, mint, async () => ({ value: 'a token', sessionId: 'ses_1', result: 'done' as const }))).rejects.toMatchObject({ code: 'store_unavailable' });
});

test('when a call is refused, then the refusal is recorded with its code under the session it named, and goes on unchanged', async () => {
  const deps = recordingAudit();
  const refusal = new ServiceError('identity_not_in_session', 'not in this session');
  await expect(auditClinicCall(deps, mint, async () => Promise.reject(refusal))).rejects.toBe(refusal);
  await expect(auditClinicCall(deps, { ...mint, sessionId: 'ses_unknown' }, async () => Promise.reject(ServiceError.notFound('ses_unknown')))).rejects.toMatchObject({ code: 'session_not_found' });
  await expect(auditClinicCall(deps, mint, async () => Promise.reject(new Error('a bug')))).rejects.toThrow('a bug');
  expect(deps.calls.written.map(({ sessionId, outcome }) => ({ sessionId, outcome }))).toEqual([
    { sessionId: 'ses_1', outcome: { result: 'refused', code: 'identity_not_in_session' } },
    { sessionId: 'ses_unknown', outcome: { result: 'refused', code: 'session_not_found' } },
    { sessionId: 'ses_1', outcome: { result: 'refused', code: 'internal' } },
  ]);
});

test('when a refused call cannot be recorded, then the caller still hears of the refusal, not of the audit', async () => {
  const deps = recordingAudit();
  deps.calls.failing = ServiceError.storeUnavailable(new Error('audit collection away'));
  const refusal = new ServiceError('session_not_active', 'not started');
  await expect(auditClinicCall(deps, { ...mint, action: 'session.end', identity: null }, async () => Promise.reject(refusal))).rejects.toBe(refusal);
});

test("when a participant calls with their own credential, then the entry names them under the key 'participant'; a refusal for a session that is gone leaves no entry", async () => {
  const deps = recordingAudit();
  await auditParticipantCall(deps, 'session.end', credential, async () => ({ value: null, sessionId: credential.sessionId, result: 'done' as const }));
  await expect(auditParticipantCall(deps, 'session.end', { ...credential, identity: 'stu' }, async () => Promise.reject(new ServiceError('participant_forbidden', 'only the counselor')))).rejects.toMatchObject({ code: 'participant_forbidden' });
  await expect(auditParticipantCall(deps, 'session.end', credential, async () => Promise.reject(ServiceError.notFound('ses_1')))).rejects.toMatchObject({ code: 'session_not_found' });
  expect(deps.calls.written.map(({ keyName, identity, sessionId, outcome }) => ({ keyName, identity, sessionId, outcome }))).toEqual([
    { keyName: 'participant', identity: 'cou', sessionId: 'ses_1', outcome: { result: 'done' } },
    { keyName: 'participant', identity: 'stu', sessionId: 'ses_1', outcome: { result: 'refused', code: 'participant_forbidden' } },
  ]);
});
