// Operations endpoints: /healthz (the process answers), /readyz (its dependencies answer, each
// within a short timeout; 503 names the ones that did not) and /metrics (Prometheus text).
import { Router } from 'express';
import type { Metrics } from '../metrics';

/** A dependency check: resolves when the dependency answers. */
export type ReadinessCheck = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 2000;

async function within(check: ReadinessCheck, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([check().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export function opsRoutes(deps: { readiness: Readonly<Record<string, ReadinessCheck>>; metrics: Metrics }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const names = Object.keys(deps.readiness);
    const results = await Promise.all(names.map((name) => within(deps.readiness[name] as ReadinessCheck, CHECK_TIMEOUT_MS)));
    const checks = Object.fromEntries(names.map((name, index) => [name, results[index] ? 'ok' : 'failed']));
    const failed = names.filter((_, index) => !results[index]);
    res.status(failed.length === 0 ? 200 : 503).json({ status: failed.length === 0 ? 'ready' : 'unready', checks, failed });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
