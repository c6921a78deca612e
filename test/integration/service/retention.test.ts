// Retention on the real stack: with RETENTION_DAYS set, the retention job removes closed sessions
// older than that with everything they recorded (events, decisions, audit entries, the Redis
// copy), and leaves open sessions and recent closed ones alone. Days are fractional here, so the
// test watches it happen within seconds.
import Redis from 'ioredis';
import { waitFor } from '../../support/isolation';
import { clinic, createAppointment, deliver, openCollections, sessionStatus, startService, testConfig } from './harness';

jest.setTimeout(60_000);

test('when a closed session is older than the retention period, then it goes with its events, decisions, audit and copy; an open one stays', async () => {
  // About 2.6 s of retention, checked every second.
  const target = await startService(testConfig({ RETENTION_DAYS: '0.00003', RETENTION_INTERVAL_SECONDS: '1' }));
  const db = await openCollections(target.config);
  const redis = new Redis(target.config.REDIS_URL as string);
  try {
    const closed = await createAppointment(target);
    const open = await createAppointment(target);
    await deliver(target, { event: 'participant_joined', room: closed.room, participant: closed.student, joinedAtMs: Date.now() - 1000 });
    expect((await clinic(target.url, 'POST', `/v1/sessions/${closed.sessionId}/cancel`)).status).toBe(200);
    expect(await db.count('session_events', { sessionId: closed.sessionId })).toBe(1);
    expect(await db.count('audit_entries', { sessionId: closed.sessionId })).toBe(2);
    // Right after closing, within the period: still there.
    expect((await sessionStatus(target, closed.sessionId)).status).toBe('cancelled');

    await waitFor(async () => (await clinic(target.url, 'GET', `/v1/sessions/${closed.sessionId}`)).status === 404, { timeoutMs: 20_000, intervalMs: 250 });
    expect(await db.count('session_events', { sessionId: closed.sessionId })).toBe(0);
    expect(await db.count('session_decisions', { sessionId: closed.sessionId })).toBe(0);
    expect(await db.count('sessions', { _id: closed.sessionId })).toBe(0);
    expect(await db.count('audit_entries', { sessionId: closed.sessionId })).toBe(0);
    expect(await redis.exists(`${target.config.SESSION_COPY_PREFIX}:session:{${closed.sessionId}}`, `${target.config.SESSION_COPY_PREFIX}:events:{${closed.sessionId}}`)).toBe(0);
    const audit = await clinic(target.url, 'GET', `/v1/sessions/${open.sessionId}/audit`);
    expect(audit.json.entries.map((entry: { action: string }) => entry.action)).toEqual(['session.create']);
    expect((await sessionStatus(target, open.sessionId)).status).toBe('waiting');
  } finally {
    redis.disconnect();
    await db.close();
    await target.stop();
  }
});
