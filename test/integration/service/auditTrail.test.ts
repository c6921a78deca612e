// The audit trail read through HTTP on the real MongoDB (FerretDB): newest first, paged with a
// cursor, every entry once even while new entries are written between pages.
import { clinic, clinicClient, createAppointment, startService, testConfig, type RunningService } from './harness';
import { must } from '../../../webhook-service/client';

let target: RunningService;
beforeEach(async () => {
  target = await startService(testConfig());
});
afterEach(async () => {
  await target?.stop();
});

test('when a supervisor pages through a busy session audit, then the newest come first and each entry shows once', async () => {
  const appointment = await createAppointment(target);
  const api = clinicClient(target);
  for (let index = 0; index < 6; index += 1) must(await api.mintJoinToken(appointment.sessionId, index % 2 === 0 ? appointment.student.identity : appointment.counselor.identity));

  const first = must(await api.getAudit(appointment.sessionId, { limit: 4 }));
  expect(first.entries).toHaveLength(4);
  expect(first.nextCursor).toEqual(expect.any(String));
  // Written while the supervisor reads: newer than every page, so it shifts nothing.
  must(await api.mintJoinToken(appointment.sessionId, appointment.student.identity));
  const second = must(await api.getAudit(appointment.sessionId, { limit: 4, cursor: first.nextCursor as string }));
  expect(second.nextCursor).toBeNull();

  const read = [...first.entries, ...second.entries];
  expect(read.map((entry) => entry.action)).toEqual(['token.mint', 'token.mint', 'token.mint', 'token.mint', 'token.mint', 'token.mint', 'session.create']);
  expect(new Set(read.map((entry) => entry.id)).size).toBe(7);
  const times = read.map((entry) => Date.parse(entry.at));
  expect(times).toEqual([...times].sort((a, b) => b - a));
  expect(must(await api.getAudit(appointment.sessionId, { limit: 1 })).entries[0]?.id).not.toBe(read[0]?.id);
});

test('when the cursor or the limit is not one the API takes, then 400', async () => {
  const appointment = await createAppointment(target);
  expect(await clinic(target.url, 'GET', `/v1/sessions/${appointment.sessionId}/audit?cursor=garbage`)).toMatchObject({ status: 400, json: { error: { code: 'invalid_request' } } });
  expect(await clinic(target.url, 'GET', `/v1/sessions/${appointment.sessionId}/audit?limit=0`)).toMatchObject({ status: 400, json: { error: { code: 'invalid_request' } } });
  expect(await clinic(target.url, 'GET', `/v1/sessions/${appointment.sessionId}/audit?limit=1001`)).toMatchObject({ status: 400 });
});
