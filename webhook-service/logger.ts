// JSON logs through pino. Log ids (session, event, job, room sid, request) and outcomes; never
// identities' display names, tokens, webhook bodies, authorization headers or endpoint URLs.
import pino, { type DestinationStream, type Logger } from 'pino';
import { currentRequestId } from './requestContext';
import { serviceVersion } from './version';

export type { Logger } from 'pino';

/** `destination`: where the lines go. @defaultValue stdout */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'autostart-webhook', version: serviceVersion().version },
    // Inside an HTTP request, every line names it.
    mixin: () => {
      const requestId = currentRequestId();
      return requestId ? { requestId } : {};
    },
    // Belt and braces: should a request object ever be logged, its secrets are not.
    redact: ['req.headers.authorization', 'headers.authorization', 'token', 'body'],
  };
  return destination ? pino(options, destination) : pino(options);
}
