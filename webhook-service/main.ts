// Composition root and process entry: `tsx webhook-service/main.ts [--api-only | --worker-only]`
// (default: both). Reads the configuration once (a bad value stops the process with a message
// naming the variable), opens the service's stack of resources (service.ts) and its port; a start
// that fails closes what it opened and names the dependency it could not open (exit 1). It shuts
// the service down gracefully on SIGTERM/SIGINT:
// answer /readyz with 503 for SHUTDOWN_DRAIN_DELAY_MS while still serving (load balancers stop
// sending), then stop accepting, finish in-flight requests and active jobs, close connections.
import { ConfigError, loadConfig } from './config';
import { createLogger } from './logger';
import { describeFailure } from './resourceStack';
import { createService, type ServiceRoles } from './service';
import { serviceVersion } from './version';

function rolesFrom(args: readonly string[]): ServiceRoles {
  const apiOnly = args.includes('--api-only');
  const workerOnly = args.includes('--worker-only');
  if (apiOnly && workerOnly) throw new ConfigError(['--api-only and --worker-only exclude each other']);
  return { api: !workerOnly, worker: !apiOnly };
}

async function main(): Promise<void> {
  let config;
  let roles: ServiceRoles;
  try {
    config = loadConfig(process.env);
    roles = rolesFrom(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const logger = createLogger(config.LOG_LEVEL);
  const service = await createService(config, roles, logger);
  const port = await service.listen(config.PORT, config.HOST);
  logger.info({ port, host: config.HOST, metricsPort: service.metricsPort(), roles, ...serviceVersion() }, 'webhook service started');

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, drainDelayMs: config.SHUTDOWN_DRAIN_DELAY_MS }, 'shutting down');
    service.drain();
    const deadline = setTimeout(() => {
      logger.error({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, 'graceful shutdown timed out');
      process.exit(1);
    }, config.SHUTDOWN_DRAIN_DELAY_MS + config.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    const drained = new Promise<void>((resolve) => setTimeout(resolve, config.SHUTDOWN_DRAIN_DELAY_MS));
    drained.then(() => service.stop()).then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  // The dependency, then its causes: the last names what to do (a missing index: run the migration).
  process.stderr.write(`webhook service failed to start: ${describeFailure(error)}\n`);
  process.exit(1);
});
