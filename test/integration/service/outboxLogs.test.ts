// An endpoint URL may carry a credential (`?token=...`), so the outbox never logs one: not when a
// delivery fails, not when it gives up. Real Redis, a real (closed) endpoint.
import { freeTcpPort } from '../../../scripts/stack/ports';
import { createLogger } from '../../../webhook-service/logger';
import { ClinicOutbox } from '../../../webhook-service/queue/clinicOutbox';
import { uniqueName, waitFor } from '../../support/isolation';

jest.setTimeout(30_000);

test('when deliveries to an endpoint whose URL holds a token fail and give up, then no log line names the URL', async () => {
  const lines: string[] = [];
  const logger = createLogger('debug', { write: (line: string) => lines.push(line) });
  const port = await freeTcpPort();
  const outbox = new ClinicOutbox({
    redis: { kind: 'server', url: process.env.REDIS_URL as string },
    prefix: uniqueName('outbox-logs'),
    endpoints: [`http://127.0.0.1:${port}/hooks?token=secret-in-the-url`],
    secrets: [`whsec_${Buffer.from('outbox-logs-secret-0123456789').toString('base64')}`],
    retryForMs: 300,
    backoffMs: 100,
  });
  await outbox.connect();
  const worker = outbox.startWorker(logger, () => undefined);
  try {
    await outbox.publish([{ id: 'evt_outbox_logs_1', type: 'session.started', sessionId: 'ses_outbox_logs', occurredAt: new Date(), data: {} }]);
    await waitFor(() => lines.some((line) => line.includes('clinic webhook gave up')), { timeoutMs: 20_000, intervalMs: 100 });
    expect(lines.filter((line) => line.includes('secret-in-the-url') || line.includes(`127.0.0.1:${port}`))).toEqual([]);
  } finally {
    await worker.close();
    await outbox.close();
  }
});
