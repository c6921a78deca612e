// The metrics port (METRICS_PORT): /metrics alone, on an HTTP server of its own, so the main
// port, which may face the internet, never serves it; Prometheus scrapes it inside the network.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Metrics } from '../metrics';
import { metricsRoutes } from './opsRoutes';

export interface MetricsServer {
  port: number;
  stop(): Promise<void>;
}

export function startMetricsServer(metrics: Metrics, port: number, host: string): Promise<MetricsServer> {
  const app = express();
  app.disable('x-powered-by');
  app.use(metricsRoutes(metrics));
  return new Promise((resolve, reject) => {
    const server: Server = app.listen(port, host, (error?: Error) => {
      if (error) {
        reject(error);
        return;
      }
      resolve({
        port: (server.address() as AddressInfo).port,
        stop: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
