// Events pushed to the clinic's backend, received by a real HTTP server on 127.0.0.1 that
// verifies every delivery with the standardwebhooks package: in order per session, retried while
// the receiver is down (the intake never waits for it), listed when they give up, and sent again
// on request.
import { startClinicBackend, type ReceivedEvent } from '../../support/clinicBackend';
import { closedAfter, waitFor } from '../../support/isolation';
import { clinic, createAppointment, deliver, startService, testConfig, type RunningService } from './harness';

jest.setTimeout(60_000);

const SECRET = `whsec_${Buffer.from('clinic-webhook-secret-0123456789').toString('base64')}`;
const OTHER_SECRET = `whsec_${Buffer.from('another-secret-entirely-98765432').toString('base64')}`;

const receiver = async (secret: string) => {
  const backend = await startClinicBackend(secret);
  return { ...backend, url: backend.hooksUrl };
};

const cleanups = closedAfter(afterEach);

async function serviceSendingTo(url: string, extra: Record<string, string> = {}): Promise<RunningService> {
  const target = await startService(testConfig({ CLINIC_WEBHOOK_URLS: url, CLINIC_WEBHOOK_SECRET: SECRET, CLINIC_WEBHOOK_BACKOFF_MS: '100', ...extra }));
  cleanups.push(() => target.stop());
  return target;
}

const typesFor = (received: ReceivedEvent[], sessionId: string) => received.filter((event) => event.sessionId === sessionId).map((event) => event.type);

test('when a session runs its course, then the clinic receives every event of it, signed and in order', async () => {
  const backend = await receiver(SECRET);
  cleanups.push(backend.close);
  const target = await serviceSendingTo(backend.url);
  const appointment = await createAppointment(target);
  const t0 = Date.now() - 5000;
  await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: t0 });
  await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.counselor, joinedAtMs: t0 + 1000 });
  await waitFor(() => typesFor(backend.received, appointment.sessionId).includes('session.started'), { timeoutMs: 15_000 });
  expect((await clinic(target.url, 'POST', `/v1/sessions/${appointment.sessionId}/end`)).status).toBe(200);
  await waitFor(() => typesFor(backend.received, appointment.sessionId).includes('session.ended'), { timeoutMs: 15_000 });

  expect(typesFor(backend.received, appointment.sessionId)).toEqual(['participant.joined', 'participant.waiting', 'participant.joined', 'session.started', 'session.ended']);
  expect(backend.received.every((event) => event.verified)).toBe(true);
  expect(new Set(backend.received.map((event) => event.id)).size).toBe(backend.received.length);
});

test('when the receiver checks with another secret, then verification fails there', async () => {
  const backend = await receiver(OTHER_SECRET);
  cleanups.push(backend.close);
  const target = await serviceSendingTo(backend.url);
  const appointment = await createAppointment(target);
  await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: Date.now() - 1000 });
  await waitFor(() => backend.received.length > 0, { timeoutMs: 15_000 });
  expect(backend.received[0]).toMatchObject({ type: 'participant.joined', verified: false });
});

test('when the secret is being rotated (two secrets set), then a receiver still on the old secret and one already on the new both verify every event', async () => {
  const onOld = await receiver(SECRET);
  const onNew = await receiver(OTHER_SECRET);
  cleanups.push(onOld.close, onNew.close);
  const target = await serviceSendingTo(`${onOld.url},${onNew.url}`, { CLINIC_WEBHOOK_SECRET: `${OTHER_SECRET},${SECRET}` });
  const appointment = await createAppointment(target);
  await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: Date.now() - 1000 });
  await waitFor(() => onOld.received.length > 0 && onNew.received.length > 0, { timeoutMs: 15_000 });
  expect(onOld.received[0]).toMatchObject({ type: 'participant.joined', verified: true });
  expect(onNew.received[0]).toMatchObject({ type: 'participant.joined', verified: true });
});

test('when the receiver is down for a while, then the intake still answers at once, and once it is back every event arrives, in order per session', async () => {
  const backend = await receiver(SECRET);
  cleanups.push(backend.close);
  const target = await serviceSendingTo(backend.url);
  backend.state.down = true;
  const appointments = [await createAppointment(target), await createAppointment(target), await createAppointment(target)];
  const answers: { status: number; ms: number }[] = [];
  for (const appointment of appointments) {
    const t0 = Date.now() - 9000;
    const steps = [
      { event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: t0 },
      { event: 'participant_left', room: appointment.room, participant: appointment.student, createdAt: Math.floor(t0 / 1000) + 2 },
      { event: 'participant_joined', room: appointment.room, participant: appointment.counselor, joinedAtMs: t0 + 4000 },
    ];
    for (const step of steps) {
      const started = performance.now();
      const answer = await deliver(target, step);
      answers.push({ status: answer.status, ms: performance.now() - started });
    }
  }
  await waitFor(() => backend.state.refused >= 3, { timeoutMs: 15_000 });
  console.log(`intake while the clinic's receiver was down: ${answers.length} webhooks, slowest answer ${Math.max(...answers.map((answer) => answer.ms)).toFixed(1)} ms`);
  expect(answers.every((answer) => answer.status === 200)).toBe(true);
  expect(backend.received).toEqual([]);

  backend.state.down = false;
  for (const appointment of appointments) {
    await waitFor(() => typesFor(backend.received, appointment.sessionId).length === 5, { timeoutMs: 20_000 });
    expect(typesFor(backend.received, appointment.sessionId)).toEqual(['participant.joined', 'participant.waiting', 'participant.left', 'participant.joined', 'participant.waiting']);
  }
  expect(backend.received.every((event) => event.verified)).toBe(true);
});

test('when a delivery gives up, then it is listed as failed, and sent again on request', async () => {
  const backend = await receiver(SECRET);
  cleanups.push(backend.close);
  // A retry window of about a second: three quick tries, then it gives up.
  const target = await serviceSendingTo(backend.url, { CLINIC_WEBHOOK_RETRY_HOURS: '0.0003' });
  backend.state.down = true;
  const appointment = await createAppointment(target);
  await deliver(target, { event: 'participant_joined', room: appointment.room, participant: appointment.student, joinedAtMs: Date.now() - 1000 });
  const failed = await waitFor(
    async () => {
      const listed = await clinic(target.url, 'GET', '/v1/webhook-deliveries?status=failed');
      return listed.json.deliveries.length >= 2 ? listed.json.deliveries : null;
    },
    { timeoutMs: 20_000, intervalMs: 200 },
  );
  expect(failed.map((delivery: { type: string }) => delivery.type)).toEqual(['participant.joined', 'participant.waiting']);
  expect(failed[0]).toMatchObject({ sessionId: appointment.sessionId, endpoint: backend.url, error: 'HTTP 503' });

  backend.state.down = false;
  for (const delivery of failed) expect((await clinic(target.url, 'POST', `/v1/webhook-deliveries/${delivery.id}/retry`)).status).toBe(202);
  await waitFor(() => backend.received.length === 2, { timeoutMs: 15_000 });
  expect(backend.received.map((event) => event.type)).toEqual(['participant.joined', 'participant.waiting']);
  expect((await clinic(target.url, 'GET', '/v1/webhook-deliveries?status=failed')).json.deliveries).toEqual([]);
  expect((await clinic(target.url, 'POST', '/v1/webhook-deliveries/dlv_unknown/retry')).json.error.code).toBe('delivery_not_found');
});
