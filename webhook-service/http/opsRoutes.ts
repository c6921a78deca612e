// Operations endpoints: /healthz (the process answers), /readyz (its dependencies answer, from a
// cached check; 503 names the ones that did not, or says the process is draining), /version, and
// /metrics (Prometheus text) when this port serves it: behind its bearer token, or with no token
// on the metrics port of its own (metricsRoutes).
import { timingSafeEqual } from 'node:crypto';
import { Router } from 'express';
import type { Metrics } from '../metrics';
import type { ServiceVersion } from '../version';
import { errorBody } from './errorStatus';
import type { Readiness } from './readiness';

export interface OpsRoutesDeps {
  readiness: Readiness;
  metrics: Metrics;
  version: ServiceVersion;
  /** How this port serves /metrics: `open` (the metrics port), `token` (the main port with METRICS_TOKEN), `none` (the main port when a metrics port exists). */
  metricsAccess: { kind: 'open' } | { kind: 'token'; token: string } | { kind: 'none' };
}

const sameSecret = (given: string, expected: string): boolean => {
  const [a, b] = [Buffer.from(given), Buffer.from(expected)];
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Only /metrics: the router of the metrics port. */
export function metricsRoutes(metrics: Metrics): Router {
  const router = Router();
  router.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  return router;
}

export function opsRoutes(deps: OpsRoutesDeps): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const result = await deps.readiness.current();
    res.status(result.status === 'ready' ? 200 : 503).json(result);
  });
  router.get('/version', (_req, res) => {
    res.json(deps.version);
  });
  const access = deps.metricsAccess;
  if (access.kind === 'token') {
    router.get('/metrics', (req, res, next) => {
      const given = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1] ?? '';
      if (sameSecret(given, access.token)) {
        next();
        return;
      }
      res.status(401).set('WWW-Authenticate', 'Bearer').json(errorBody('unauthorized', 'a valid metrics token is required'));
    });
  }
  if (access.kind !== 'none') router.use(metricsRoutes(deps.metrics));
  return router;
}
