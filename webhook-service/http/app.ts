// createApp(deps): the express app without a listening socket (tests start it on port 0). The
// ops routes always; the webhook intake and the clinic API when the process serves the API.
// Errors from any route end in the one handler below, which maps codes through ERROR_STATUS.
import express, { type ErrorRequestHandler, type Express } from 'express';
import { isServiceError } from '../errors';
import type { Logger } from '../logger';
import type { Metrics } from '../metrics';
import { clinicRoutes, type ClinicRoutesDeps } from './clinicRoutes';
import { ERROR_STATUS, errorBody } from './errorStatus';
import { methodNotAllowed } from './methodNotAllowed';
import { openApiDocument } from './openapi';
import { requestIdFor, withRequestId } from '../requestContext';
import { serviceVersion, type ServiceVersion } from '../version';
import { opsRoutes, type OpsRoutesDeps } from './opsRoutes';
import { participantRoutes, type ParticipantRoutesDeps } from './participantRoutes';
import { rateLimits, type RateLimitsOptions } from './rateLimits';
import { createReadiness, type ReadinessCheck } from './readiness';
import { webhookRoutes, type WebhookRoutesDeps } from './webhookRoutes';

export interface AppDeps {
  logger: Logger;
  metrics: Metrics;
  readiness: Readonly<Record<string, ReadinessCheck>>;
  /** Warnings /readyz shows while ready (an endpoint's outbox backlog). */
  readinessWarnings?: () => Promise<string[]>;
  /** How long /readyz reuses a check, in ms. @defaultValue 0 */
  readinessCacheMs?: number;
  /** True once the process drains: /readyz then answers 503. */
  isDraining?: () => boolean;
  /** @defaultValue the package's version */
  version?: ServiceVersion;
  /** How this port serves /metrics. @defaultValue open */
  metricsAccess?: OpsRoutesDeps['metricsAccess'];
  /** How many reverse proxies' X-Forwarded-For to believe for the client address. @defaultValue 0 */
  trustProxyHops?: number;
  /** Absent in a worker-only process, which serves the ops routes alone. */
  api?: {
    /** Limits of /v1 per address and per credential (absent: none); the webhook intake has none. */
    rateLimits?: RateLimitsOptions;
    webhook: Omit<WebhookRoutesDeps, 'metrics' | 'logger'>;
    clinic: ClinicRoutesDeps;
    participant: ParticipantRoutesDeps;
  };
}

/**
 * Errors of the request itself, raised before a route runs: body-parser's carry a `type`
 * (too large, unparsable, aborted by the client mid-body); the router's path decoding a 400
 * status (a badly encoded parameter such as `%E0%A4%A`).
 */
function requestCode(error: unknown): 'payload_too_large' | 'invalid_request' | null {
  const { type, status } = (error ?? {}) as { type?: unknown; status?: unknown };
  if (type === 'entity.too.large') return 'payload_too_large';
  if (type === 'entity.parse.failed' || type === 'charset.unsupported' || type === 'encoding.unsupported' || type === 'request.aborted') return 'invalid_request';
  if (error instanceof URIError || (type === undefined && status === 400 && !isServiceError(error))) return 'invalid_request';
  return null;
}

/** The route's pattern (`/v1/sessions/:id`), never the path itself: ids would make a series each. */
const routeOf = (req: express.Request, mount: string): string => (req.route?.path ? `${mount}${String(req.route.path)}` : 'unmatched');

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  if (deps.trustProxyHops) app.set('trust proxy', deps.trustProxyHops);
  // Every request: an id (answered in X-Request-Id, named in every log line written for it) and its duration by route.
  app.use((req, res, next) => {
    const requestId = requestIdFor(req.get('x-request-id'));
    res.set('X-Request-Id', requestId);
    const stop = deps.metrics.httpDuration.startTimer();
    let route = 'unmatched';
    // Read where the response is written: an error answered by the app's handler has left its router by then.
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => typeof res;
    res.writeHead = ((...args: unknown[]) => {
      route = routeOf(req, typeof res.locals.mount === 'string' ? res.locals.mount : '');
      return writeHead(...args);
    }) as typeof res.writeHead;
    res.on('finish', () => stop({ method: req.method, route, status: String(res.statusCode) }));
    withRequestId(requestId, next);
  });
  app.use(
    opsRoutes({
      metrics: deps.metrics,
      readiness: createReadiness({
        checks: deps.readiness,
        warnings: deps.readinessWarnings,
        cacheMs: deps.readinessCacheMs ?? 0,
        isDraining: deps.isDraining,
        onChecked: (result) => {
          deps.metrics.ready.set(result.status === 'ready' ? 1 : 0);
          for (const dependency of result.failed) deps.metrics.readinessFailures.inc({ dependency });
        },
      }),
      version: deps.version ?? serviceVersion(),
      metricsAccess: deps.metricsAccess ?? { kind: 'open' },
    }),
  );
  const description = openApiDocument();
  app.get('/openapi.json', (_req, res) => {
    res.json(description);
  });
  if (deps.api) {
    app.use(webhookRoutes({ ...deps.api.webhook, metrics: deps.metrics, logger: deps.logger }));
    // The mount point, for the route label (express resets baseUrl when the router is left).
    app.use('/v1', (_req, res, next) => {
      res.locals.mount = '/v1';
      next();
    });
    if (deps.api.rateLimits) app.use('/v1', rateLimits(deps.api.rateLimits));
    // Before the clinic API, whose key check covers the rest of /v1.
    app.use('/v1', participantRoutes(deps.api.participant));
    app.use('/v1', clinicRoutes(deps.api.clinic));
  }
  app.use(methodNotAllowed(app));
  app.use((_req, res) => {
    res.status(404).json(errorBody('route_not_found', 'no such route'));
  });

  const handleError: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    const parserCode = requestCode(error);
    const code = isServiceError(error) ? error.code : (parserCode ?? 'internal');
    const status = ERROR_STATUS[code];
    const message =
      isServiceError(error) && status < 500
        ? error.message
        : parserCode === 'payload_too_large'
          ? 'request body too large'
          : parserCode
            ? 'unreadable request (body or path)'
            : 'the service cannot answer now';
    const log = { method: req.method, route: req.route?.path ?? req.path, code, status, err: status >= 500 ? error : undefined };
    if (status >= 500) deps.logger.error(log, 'request failed');
    else deps.logger.info(log, 'request refused');
    if (res.headersSent) return;
    res.status(status).json(errorBody(code, message));
  };
  app.use(handleError);
  return app;
}
