// The one builder of the webhook service's environment from a running stack, shared by the demo,
// the e2e setup, the tests and the benchmark: a database of its own on the stack's MongoDB (the
// URI's credentials, hosts and options kept), the stack's Redis and LiveKit, a clinic token, and
// Redis key prefixes of its own so several services can share one Redis.
import type { StackEndpoints } from '../stack';

/**
 * `baseUri` with `database` as its database, keeping credentials, every host and the query
 * (`?replicaSet=rs0`). Not `new URL`: a replica-set URI lists several hosts, which URL rejects.
 */
export function databaseUri(baseUri: string, database: string): string {
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]+)(?:\/[^?]*)?(\?.*)?$/.exec(baseUri);
  if (!match) throw new Error(`not a mongodb:// URI: ${baseUri.replace(/\/\/[^@]*@/, '//***@')}`);
  return `${match[1]}/${encodeURIComponent(database)}${match[2] ?? ''}`;
}

export interface ServiceEnvOptions {
  /** The service's database on the stack's MongoDB. */
  database: string;
  clinicApiToken: string;
  /** Prefix of its queue keys; the session copy takes `<prefix>-copy`. @defaultValue autostart */
  prefix?: string;
  /** Any other variables (they win). */
  extra?: Readonly<Record<string, string>>;
}

export function serviceEnv(stack: StackEndpoints, options: ServiceEnvOptions): Record<string, string> {
  const prefix = options.prefix ?? 'autostart';
  return {
    MONGODB_URI: databaseUri(stack.mongoUri, options.database),
    REDIS_URL: stack.redisUrl,
    LIVEKIT_URL: stack.livekitUrl,
    LIVEKIT_API_KEY: stack.livekitApiKey,
    LIVEKIT_API_SECRET: stack.livekitApiSecret,
    CLINIC_API_TOKEN: options.clinicApiToken,
    BULLMQ_PREFIX: prefix,
    SESSION_COPY_PREFIX: `${prefix}-copy`,
    ...options.extra,
  };
}
