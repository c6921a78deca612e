// JSON logs through pino. Log ids (session, event, job, room sid) and outcomes; never
// identities' display names, tokens, webhook bodies or authorization headers.
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'autostart-webhook' },
    // Belt and braces: should a request object ever be logged, its secrets are not.
    redact: ['req.headers.authorization', 'headers.authorization', 'token', 'body'],
  });
}
