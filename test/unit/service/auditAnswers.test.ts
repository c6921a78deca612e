// The audit keeps the answer each call got, as the clinic API reports it: the HTTP layer turns the
// use case's outcome into a status from the one code-to-status table.
import { answeredAudit, answerOf } from '../../../webhook-service/http/auditAnswers';
import { ERROR_STATUS } from '../../../webhook-service/http/errorStatus';
import { InMemoryAuditTrail } from '../../support/fakes/fakes';

test('a create that made a session answers 201, any other done call 200, a refusal the status of its code', () => {
  expect(answerOf({ result: 'created' })).toEqual({ status: 201, code: null });
  expect(answerOf({ result: 'done' })).toEqual({ status: 200, code: null });
  for (const code of Object.keys(ERROR_STATUS) as (keyof typeof ERROR_STATUS)[]) {
    expect(answerOf({ result: 'refused', code })).toEqual({ status: ERROR_STATUS[code], code });
  }
});

test('an entry is stored with the answer its call got, everything else as written', async () => {
  const trail = new InMemoryAuditTrail();
  const at = new Date('2030-01-02T03:00:00.000Z');
  await answeredAudit(trail).record({ id: 'aud_1', keyName: 'portal-a', action: 'session.end', sessionId: 'ses_1', identity: null, at, outcome: { result: 'refused', code: 'session_not_active' } });
  expect(trail.entries).toEqual([{ id: 'aud_1', keyName: 'portal-a', action: 'session.end', sessionId: 'ses_1', identity: null, at, outcome: { status: 409, code: 'session_not_active' } }]);
});
