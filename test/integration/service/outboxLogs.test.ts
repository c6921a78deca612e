// An endpoint URL may carry a credential (`?token=...`), so the outbox never logs one: not when a
// delivery fails, not when it gives up. Real Redis and MongoDB, a real (closed) endpoint.
import { freeTcpPort } from '../../../scripts/stack/ports';
import { createLogger } from '../../../webhook-service/logger';
import { assignClinics, parseEndpoints } from '../../../webhook-service/outbox/deliveryPolicy';
import { ClinicOutbox } from '../../../webhook-service/outbox/clinicOutbox';
import { migrateDatabase } from '../../../webhook-service/store/migrate';
import { mongoUriFor, uniqueName, waitFor } from '../../support/isolation';

jest.setTimeout(30_000);

test('when deliveries to an endpoint whose URL holds a token fail and give up, then no log line names the URL', async () => {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => lines.push(line) });
  const port = await freeTcpPort();
  const mongoUri = mongoUriFor(uniqueName('outbox_logs').replaceAll('-', '_'));
  await migrateDatabase(mongoUri);
  const outbox = await ClinicOutbox.open({
    mongoUri,
    redis: { kind: 'server', url: process.env.REDIS_URL as string },
    prefix: uniqueName('outbox-logs'),
    endpoints: assignClinics(parseEndpoints([`crm=http://127.0.0.1:${port}/hooks?token=secret-in-the-url`]), null, 'default'),
    secrets: [`whsec_${Buffer.from('outbox-logs-secret-0123456789').toString('base64')}`],
    policy: { retryForMs: 300, backoffMs: 100 },
    pollMs: 50,
  });
  outbox.startWorker(logger, () => undefined);
  try {
    await outbox.publish([{ id: 'evt_outbox_logs_1', type: 'session.started', sessionId: 'ses_outbox_logs', clinicId: 'default', occurredAt: new Date(), data: {} }]);
    await waitFor(() => lines.some((line) => line.includes('clinic webhook gave up')), { timeoutMs: 20_000, intervalMs: 100 });
    expect(lines.filter((line) => line.includes('secret-in-the-url') || line.includes(`127.0.0.1:${port}`))).toEqual([]);
    // It said which endpoint, by name.
    expect(lines.find((line) => line.includes('clinic webhook gave up'))).toContain('"endpoint":"crm"');
  } finally {
    await outbox.close();
  }
});
