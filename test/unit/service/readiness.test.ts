import { createReadiness } from '../../../webhook-service/http/readiness';

test('warnings are shown while ready and never make the service unready; a failing read of them is no warning', async () => {
  let warnings: () => Promise<string[]> = async () => ['outbox: 1500 events wait for endpoint "crm"'];
  const readiness = createReadiness({ checks: { mongodb: async () => undefined }, cacheMs: 0, warnings: () => warnings() });
  expect(await readiness.current()).toEqual({ status: 'ready', checks: { mongodb: 'ok' }, failed: [], warnings: ['outbox: 1500 events wait for endpoint "crm"'] });
  warnings = async () => {
    throw new Error('MongoDB away');
  };
  expect(await readiness.current()).toMatchObject({ status: 'ready', warnings: [] });
});

test('a failed check makes it unready, with the warnings still listed', async () => {
  const readiness = createReadiness({ checks: { redis: async () => Promise.reject(new Error('down')) }, cacheMs: 0, warnings: async () => ['w'] });
  expect(await readiness.current()).toEqual({ status: 'unready', checks: { redis: 'failed' }, failed: ['redis'], warnings: ['w'] });
});
