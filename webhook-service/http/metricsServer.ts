// The metrics port's app (METRICS_PORT): /metrics alone, on an HTTP server of its own, so the main
// port, which may face the internet, never serves it; Prometheus scrapes it inside the network.
import express, { type Express } from 'express';
import type { Metrics } from '../metrics';
import { metricsRoutes } from './opsRoutes';

export function createMetricsApp(metrics: Metrics): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(metricsRoutes(metrics));
  return app;
}
