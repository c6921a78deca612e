// The real express app on the use-case fakes, listening on a free loopback port: what the HTTP
// boundary's unit tests serve (no servers needed beyond this one).
import type { AddressInfo } from 'node:net';
import { grantKeys } from '../../../webhook-service/clinicKeys';
import { createApp, type AppDeps } from '../../../webhook-service/http/app';
import { createLogger, type Logger } from '../../../webhook-service/logger';
import { createMetrics } from '../../../webhook-service/metrics';
import { world } from './usecases/world';

/** The clinic API key the app takes (named `default`). */
export const CLINIC_TOKEN = 'unit-clinic-token-0123456789';

export interface AppOnFakesOptions {
  logger?: Logger;
  /** Set on top of the defaults (readiness, version, ...). */
  extra?: Partial<AppDeps>;
  /** Added to the API's dependencies (a rate limiter, ...). */
  api?: Partial<NonNullable<AppDeps['api']>>;
  /** The fakes the use cases run on (a world with a fake of the test's own swapped in). */
  deps?: ReturnType<typeof world>;
  /** The clinic key's name (audited as who called). @defaultValue 'default' */
  keyName?: string;
}

/** The app alone, for tests that read its routes. */
export function appOnFakes(options: AppOnFakesOptions = {}) {
  const logger = options.logger ?? createLogger('silent');
  const metrics = createMetrics();
  const deps = options.deps ?? world();
  const app = createApp({
    logger,
    metrics,
    readiness: {},
    api: {
      webhook: { maxBytes: 65536, intake: deps },
      clinic: { ...deps, logger, clinicApiKeys: grantKeys([{ name: options.keyName ?? 'default', secret: CLINIC_TOKEN }], null), corsOrigins: [] },
      participant: { ...deps, logger, corsOrigins: [] },
      ...options.api,
    },
    ...options.extra,
  });
  return { app, metrics, deps };
}

export async function serveAppOnFakes(options: AppOnFakesOptions = {}) {
  const { app, metrics, deps } = appOnFakes(options);
  const server = await new Promise<ReturnType<typeof app.listen>>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, metrics, deps, close: () => new Promise((resolve) => server.close(resolve)) };
}
