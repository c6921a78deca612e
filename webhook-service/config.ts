// The service's configuration: every option read from the environment, documented where it is
// declared, validated once at start. A bad or missing value stops the process with a message that
// names the variable and what it expects (never the value: some are secrets). Every secret can
// come from a file instead (`<NAME>_FILE`, as Docker and Kubernetes secrets are mounted).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { callSettingsSchema } from './clinicCalls';
import { clinicIdSchema, DEFAULT_CLINIC, grantKeys, keyGrantsSchema, optionalJson, type ClinicApiKey, type KeyGrant } from './clinicKeys';
import { assignClinics, EVERY_CLINIC, parseEndpoints, type ClinicEndpoint, type Endpoint } from './outbox/deliveryPolicy';
import { parseSentinels, type RedisTarget } from './redis/connections';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const urlWithScheme = (schemes: readonly string[]) =>
  z.string().refine((value) => {
    try {
      return schemes.includes(new URL(value).protocol);
    } catch {
      return false;
    }
  });
/**
 * The database named in a MongoDB URI (the path after the hosts), or null when there is none.
 * Not `new URL`: a replica-set URI lists several hosts, which URL rejects.
 */
export function databaseNameOf(uri: string): string | null {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?]+\/([^?]*)/.exec(uri);
  const name = match ? decodeURIComponent(match[1] as string) : '';
  return name.length > 0 ? name : null;
}
// MongoDB refuses these in a database name (and 64 bytes or more).
const DATABASE_NAME = /^[^/\\. "$*<>:|?]{1,63}$/;

const commaList = z
  .string()
  .optional()
  .transform((value) => (value ?? '').split(',').map((item) => item.trim()).filter((item) => item.length > 0));

/** Each option: its schema and, for the error message, what it expects. */
const webhookSecret = z.string().regex(/^whsec_[A-Za-z0-9+/=]{16,}$/);

const OPTIONS = {
  /** TCP port of the HTTP server. @defaultValue 8080 */
  PORT: { schema: port.default(8080), expects: 'an integer port 0-65535' },
  /** Interface the HTTP server binds to; loopback unless a proxy in front needs otherwise. @defaultValue 127.0.0.1 */
  HOST: { schema: z.string().min(1).default('127.0.0.1'), expects: 'a host name or IP address' },
  /** A port of its own for /metrics, on METRICS_HOST; then the main port does not serve /metrics. 0 picks a free port. @defaultValue none */
  METRICS_PORT: { schema: port.optional(), expects: 'an integer port 0-65535' },
  /** Interface of the metrics port. @defaultValue HOST */
  METRICS_HOST: { schema: z.string().min(1).optional(), expects: 'a host name or IP address' },
  /** A bearer token for /metrics on the main port (`Authorization: Bearer <token>`); at least 16 characters. @defaultValue none */
  METRICS_TOKEN: { schema: z.string().min(16).optional(), expects: 'a secret of at least 16 characters' },
  /** How long /readyz reuses its last dependency check, in ms, so a storm of probes costs the dependencies one check. @defaultValue 5000 */
  READINESS_CACHE_MS: { schema: z.coerce.number().int().min(0).default(5000), expects: 'a non-negative integer (milliseconds)' },
  /** On SIGTERM, how long /readyz answers 503 (draining) while the service still serves, before it stops accepting: the time a load balancer needs to stop sending. @defaultValue 0 */
  SHUTDOWN_DRAIN_DELAY_MS: { schema: z.coerce.number().int().min(0).default(0), expects: 'a non-negative integer (milliseconds)' },
  /** MongoDB (or FerretDB) connection string, naming its database (`mongodb://host:27017/counseling`): without one the driver would write to `test`. */
  MONGODB_URI: {
    // Not urlWithScheme: a replica set's URI lists several hosts, which `new URL` refuses.
    schema: z.string().refine((uri) => DATABASE_NAME.test(databaseNameOf(uri) ?? '')),
    expects: 'a mongodb:// or mongodb+srv:// URI that names its database (mongodb://host:27017/counseling)',
  },
  /** Redis for BullMQ, the session copy, the locks and the outbox (`maxmemory-policy noeviction`); not with REDIS_SENTINELS. */
  REDIS_URL: { schema: urlWithScheme(['redis:', 'rediss:']).optional(), expects: 'a redis:// or rediss:// URL', requiredUnless: 'REDIS_SENTINELS' },
  /** Redis through Sentinel instead of REDIS_URL: the Sentinels as `host:port`, comma-separated; every connection follows the primary they name. */
  REDIS_SENTINELS: {
    schema: z
      .string()
      .optional()
      .transform((value, context) => {
        try {
          return value === undefined ? [] : parseSentinels(value);
        } catch {
          context.addIssue({ code: 'custom', message: 'bad sentinel' });
          return z.NEVER;
        }
      }),
    expects: 'comma-separated host:port of the Sentinels',
  },
  /** The primary's name in the Sentinels' configuration (`sentinel monitor <name> ...`); required with REDIS_SENTINELS. */
  REDIS_SENTINEL_NAME: { schema: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional(), expects: 'the monitored primary\'s name (letters, digits, _ . -)' },
  /** The password of the primary and replicas found through REDIS_SENTINELS (the Sentinels themselves are asked without one). */
  REDIS_PASSWORD: { schema: z.string().min(1).optional(), expects: 'a non-empty password' },
  /** LiveKit server URL the service calls (RoomService API). */
  LIVEKIT_URL: { schema: urlWithScheme(['ws:', 'wss:', 'http:', 'https:']), expects: 'a ws://, wss://, http:// or https:// URL' },
  /** LiveKit URL handed to browsers with a join token. @defaultValue LIVEKIT_URL */
  LIVEKIT_PUBLIC_URL: { schema: urlWithScheme(['ws:', 'wss:', 'http:', 'https:']).optional(), expects: 'a ws://, wss://, http:// or https:// URL' },
  /** LiveKit API key: signs join tokens and API calls; also the key webhooks are verified with unless LIVEKIT_WEBHOOK_API_KEY says otherwise. */
  LIVEKIT_API_KEY: { schema: z.string().min(1), expects: 'a non-empty LiveKit API key' },
  /** LiveKit API secret paired with LIVEKIT_API_KEY. */
  LIVEKIT_API_SECRET: { schema: z.string().min(1), expects: 'a non-empty LiveKit API secret' },
  /** The key LiveKit signs its webhooks with (`webhook.api_key` in livekit.yaml), when it is not LIVEKIT_API_KEY. @defaultValue LIVEKIT_API_KEY */
  LIVEKIT_WEBHOOK_API_KEY: { schema: z.string().min(1).optional(), expects: 'a non-empty LiveKit API key' },
  /** The secret of LIVEKIT_WEBHOOK_API_KEY; required when that key differs from LIVEKIT_API_KEY. @defaultValue LIVEKIT_API_SECRET */
  LIVEKIT_WEBHOOK_API_SECRET: { schema: z.string().min(1).optional(), expects: 'a non-empty LiveKit API secret' },
  /** Per-request timeout of LiveKit API calls, in seconds. @defaultValue 10 */
  LIVEKIT_REQUEST_TIMEOUT_SECONDS: { schema: positiveInt.default(10), expects: 'a positive integer (seconds)' },
  /** One bearer token clinic portals present on /v1 (the key named `default`); at least 16 characters. Optional when CLINIC_API_KEYS is set. */
  CLINIC_API_TOKEN: { schema: z.string().min(16).optional(), expects: 'a secret of at least 16 characters' },
  /** Named clinic API keys, `name:secret` comma-separated, several valid at once so a key can be rotated with no downtime; secrets of 16+ characters. */
  CLINIC_API_KEYS: {
    schema: z
      .string()
      .optional()
      .transform((value) => (value ?? '').split(',').map((item) => item.trim()).filter((item) => item.length > 0))
      .pipe(z.array(z.string().regex(/^[A-Za-z0-9_.-]{1,64}:\S{16,}$/).transform((pair) => ({ name: pair.slice(0, pair.indexOf(':')), secret: pair.slice(pair.indexOf(':') + 1) })))),
    expects: 'comma-separated name:secret pairs (name: letters, digits, _ . -; secret: 16+ characters, no spaces)',
  },
  /**
   * Which clinic each API key acts for and what it may do, as JSON by key name:
   * `{"north-portal":{"clinic":"north","scopes":["sessions:write","sessions:read","tokens:write"]}}`
   * (scopes left out: all of them). When set, every key of CLINIC_API_KEYS and CLINIC_API_TOKEN
   * (named `default`) must have a grant. @defaultValue none: every key is the clinic `default`'s, with every scope
   */
  CLINIC_API_KEY_GRANTS: {
    schema: keyGrantsSchema,
    expects: 'a JSON object by key name of { "clinic": "<letters, digits, _ . ->", "scopes": [sessions:read, sessions:write, tokens:write, audit:read, deliveries:read, deliveries:write] }',
  },
  /**
   * What each clinic allows in its calls, as JSON by clinic id:
   * `{"north":{"screenShare":"everyone","chat":false}}`. `screenShare`: `counselor` (the counselor
   * and co-counselors), `everyone` (students too) or `none`, enforced by LiveKit through the join
   * tokens and the start's grant; `chat`: the widgets' in-call text chat. Every clinic named must
   * be one a key acts for (CLINIC_API_KEY_GRANTS, else `default`). @defaultValue every clinic: `{"screenShare":"counselor","chat":true}`
   */
  CLINIC_CALL_SETTINGS: {
    schema: callSettingsSchema,
    expects: 'a JSON object by clinic id of { "screenShare": "counselor" | "everyone" | "none", "chat": true | false }',
  },
  /** How long an Idempotency-Key is remembered after its first use, in hours: a repeat within it gets the first answer; later the key is forgotten. @defaultValue 24 */
  IDEMPOTENCY_KEY_TTL_HOURS: { schema: z.coerce.number().positive().max(24 * 30).default(24), expects: 'a positive number of hours, up to 720' },
  /** Redis key prefix of the BullMQ queues, so several deployments can share a Redis. @defaultValue autostart */
  BULLMQ_PREFIX: { schema: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).default('autostart'), expects: 'letters, digits, _ . - (1-64)' },
  /** Redis key prefix of the session copy (each session's records, read on the webhook path). @defaultValue autostart-copy */
  SESSION_COPY_PREFIX: { schema: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).default('autostart-copy'), expects: 'letters, digits, _ . - (1-64)' },
  /** How long a session's copy stays in Redis after its last write, in seconds; an expired copy is rebuilt from MongoDB when read. @defaultValue 2592000 (30 days) */
  SESSION_COPY_TTL_SECONDS: { schema: positiveInt.default(30 * 24 * 3600), expects: 'a positive integer (seconds)' },
  /** How long an active session waits for the student or the counselor to come back once neither is connected, in seconds; then it ends (reason timeout). @defaultValue 600 */
  SESSION_REJOIN_GRACE_SECONDS: { schema: positiveInt.default(600), expects: 'a positive integer (seconds)' },
  /** How long after its scheduledStart a session whose pair never met becomes a no-show, in seconds; 0 turns no-shows off. @defaultValue 1800 */
  NO_SHOW_AFTER_SECONDS: { schema: z.coerce.number().int().min(0).default(1800), expects: 'a non-negative integer (seconds; 0 = off)' },
  /** Largest webhook body accepted, in bytes; larger ones get 413. @defaultValue 65536 */
  WEBHOOK_MAX_BYTES: { schema: positiveInt.default(65536), expects: 'a positive integer (bytes)' },
  /** How far an event's createdAt may be from now, in seconds; LiveKit's signature lives 5 minutes and has no nonce, so this bounds replays. @defaultValue 300 */
  WEBHOOK_MAX_AGE_SECONDS: { schema: positiveInt.default(300), expects: 'a positive integer (seconds)' },
  /** How far LiveKit's clock may be from ours when the webhook's signature (a JWT: not before, expires) is checked, in seconds; the createdAt window above is checked besides. @defaultValue 10 */
  WEBHOOK_CLOCK_TOLERANCE_SECONDS: { schema: z.coerce.number().int().min(0).max(300).default(10), expects: 'an integer 0-300 (seconds)' },
  /** Lifetime of the join tokens minted for clinic portals, in seconds. @defaultValue 600 */
  TOKEN_TTL_SECONDS: { schema: positiveInt.default(600), expects: 'a positive integer (seconds)' },
  /** Origins allowed to call the clinic API from a browser, comma-separated. @defaultValue none */
  CORS_ORIGINS: { schema: commaList, expects: 'a comma-separated list of origins' },
  /** The service's URL as browsers reach it (`https://autostart.clinic.example`): counselor tokens then carry the endUrl their widget ends the session at. @defaultValue none (no endUrl) */
  SERVICE_PUBLIC_URL: { schema: urlWithScheme(['http:', 'https:']).optional(), expects: 'an http:// or https:// URL' },
  /** Requests per minute one clinic API key (or one participant's join token) may make on /v1; 0 = no limit. @defaultValue 1200 */
  RATE_LIMIT_PER_KEY_PER_MINUTE: { schema: z.coerce.number().int().min(0).default(1200), expects: 'a non-negative integer (requests per minute; 0 = no limit)' },
  /** Requests per minute one client address may make on /v1, credential or not; 0 = no limit. @defaultValue 2400 */
  RATE_LIMIT_PER_ADDRESS_PER_MINUTE: { schema: z.coerce.number().int().min(0).default(2400), expects: 'a non-negative integer (requests per minute; 0 = no limit)' },
  /** How many reverse proxies stand in front of the service: the client address is then read from their X-Forwarded-For (express's trust proxy). @defaultValue 0 */
  TRUST_PROXY_HOPS: { schema: z.coerce.number().int().min(0).max(10).default(0), expects: 'an integer 0-10' },
  /**
   * Where the clinic's backend receives events (Standard Webhooks), comma-separated, each
   * `name=https://...` (or a bare URL, named after itself); https:// except on loopback. Queued
   * events follow the name, so reordering or adding endpoints changes nothing for them. None: no events sent.
   */
  CLINIC_WEBHOOK_URLS: {
    schema: commaList.transform((entries, context) => {
      try {
        return parseEndpoints(entries);
      } catch (error) {
        context.addIssue({ code: 'custom', message: (error as Error).message, params: { detail: true } });
        return z.NEVER;
      }
    }),
    expects: 'comma-separated `name=https://...` entries (http:// only on loopback)',
  },
  /**
   * Which clinic's events each endpoint of CLINIC_WEBHOOK_URLS receives, JSON by endpoint name:
   * `{"crm-north":"north","crm-south":"south","ops":"*"}` (`*`: every clinic's, for the
   * operator's own endpoint). When set, every endpoint needs a clinic, and each clinic must be one
   * a key acts for. Required with CLINIC_WEBHOOK_URLS when CLINIC_API_KEY_GRANTS names a clinic
   * other than `default`. @defaultValue none: every endpoint is the clinic `default`'s
   */
  CLINIC_WEBHOOK_ENDPOINT_CLINICS: {
    schema: optionalJson.pipe(z.record(z.string(), z.union([z.literal(EVERY_CLINIC), clinicIdSchema])).nullable()),
    expects: 'a JSON object by endpoint name of the clinic id whose events it receives ("*": every clinic\'s)',
  },
  /**
   * The signing secret of each endpoint that has one of its own, JSON by endpoint name:
   * `{"crm-north":"whsec_...","crm-south":["whsec_new","whsec_old"]}` (two during a rotation).
   * An endpoint not named here is signed with CLINIC_WEBHOOK_SECRET. Endpoints of different
   * clinics may not share a secret: a clinic that knows one could sign events another's
   * endpoint would accept. @defaultValue none: every endpoint signed with CLINIC_WEBHOOK_SECRET
   */
  CLINIC_WEBHOOK_ENDPOINT_SECRETS: {
    schema: optionalJson.pipe(
      z
        .record(z.string(), z.union([webhookSecret.transform((secret) => [secret]), z.array(webhookSecret).min(1).max(2)]))
        .nullable(),
    ),
    expects: 'a JSON object by endpoint name of its whsec_ signing secret, or of two during a rotation',
  },
  /**
   * The signing secret of those events, `whsec_` and base64 (Standard Webhooks); required with
   * CLINIC_WEBHOOK_URLS. During a rotation, two comma-separated (`whsec_new,whsec_old`): every
   * event is then signed with both, so the clinic's backend may switch to the new one at any time.
   */
  CLINIC_WEBHOOK_SECRET: {
    schema: commaList.pipe(z.array(webhookSecret).max(2)),
    expects: 'whsec_ followed by a base64 secret (16+ characters), or two of them comma-separated during a rotation',
  },
  /** How long an event is retried before it is listed as failed, in hours. @defaultValue 24 */
  CLINIC_WEBHOOK_RETRY_HOURS: { schema: z.coerce.number().positive().max(168).default(24), expects: 'a number of hours, up to 168' },
  /** The first retry delay of an event, doubled on each attempt up to an hour, in ms. @defaultValue 1000 */
  CLINIC_WEBHOOK_BACKOFF_MS: { schema: positiveInt.default(1000), expects: 'a positive integer (milliseconds)' },
  /** Chains (one session's events for one endpoint) one worker process sends at once. @defaultValue 8 */
  CLINIC_WEBHOOK_CONCURRENCY: { schema: positiveInt.default(8), expects: 'a positive integer' },
  /** Deliveries waiting for one endpoint above which /readyz warns (it stays ready) and the backlog alert fires. @defaultValue 1000 */
  CLINIC_WEBHOOK_BACKLOG_WARN: { schema: positiveInt.default(1000), expects: 'a positive integer' },
  /** pino log level. @defaultValue info */
  LOG_LEVEL: { schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'), expects: 'one of fatal, error, warn, info, debug, trace, silent' },
  /** Lifecycle jobs (activation, notifications, closing, timers) one worker process runs at once. @defaultValue 8 */
  WORKER_CONCURRENCY: { schema: positiveInt.default(8), expects: 'a positive integer' },
  /** How often open sessions are reconciled with LiveKit's own view of its rooms, in seconds (one pass per interval across all instances); 0 turns it off. @defaultValue 30 */
  RECONCILE_INTERVAL_SECONDS: { schema: z.coerce.number().int().min(0).default(30), expects: 'a non-negative integer (seconds; 0 = off)' },
  /** Closed sessions older than this many days are deleted with everything they recorded (events, decisions, audit entries); 0 keeps them forever. @defaultValue 0 */
  RETENTION_DAYS: { schema: z.coerce.number().min(0).default(0), expects: 'a non-negative number of days (0 = keep forever)' },
  /** How often retention runs when RETENTION_DAYS is set, in seconds. @defaultValue 3600 */
  RETENTION_INTERVAL_SECONDS: { schema: positiveInt.default(3600), expects: 'a positive integer (seconds)' },
  /**
   * How long, in ms, a webhook's writes (its event in MongoDB, its session copy in Redis) may wait
   * to share one database call with other webhooks' (group commit); they wait only while another
   * such call is in flight, so a lone webhook never waits. 0: every write on its own. @defaultValue 5
   */
  GROUP_COMMIT_WINDOW_MS: { schema: z.coerce.number().int().min(0).max(1000).default(5), expects: 'an integer 0-1000 (milliseconds; 0 = off)' },
  /** The most writes in one group commit. @defaultValue 256 */
  GROUP_COMMIT_MAX_WRITES: { schema: z.coerce.number().int().min(1).max(10000).default(256), expects: 'an integer 1-10000' },
  /** How many times a lifecycle job is tried before it fails for good. @defaultValue 10 */
  JOB_ATTEMPTS: { schema: positiveInt.default(10), expects: 'a positive integer' },
  /** First retry delay of a lifecycle job, doubled on each attempt, in ms; 10 attempts from 1000 cover about 8.5 minutes. @defaultValue 1000 */
  JOB_BACKOFF_MS: { schema: positiveInt.default(1000), expects: 'a positive integer (milliseconds)' },
  /** How long a worker's job lock lives without renewal, in ms; a crashed worker's job runs again after this. @defaultValue 30000 */
  WORKER_LOCK_DURATION_MS: { schema: positiveInt.default(30000), expects: 'a positive integer (milliseconds)' },
  /** How often a worker looks for stalled jobs (locks expired), in ms. @defaultValue 30000 */
  WORKER_STALLED_INTERVAL_MS: { schema: positiveInt.default(30000), expects: 'a positive integer (milliseconds)' },
  /** Longest graceful shutdown (in-flight requests, active jobs) before the process exits anyway, in ms. @defaultValue 20000 */
  SHUTDOWN_TIMEOUT_MS: { schema: positiveInt.default(20000), expects: 'a positive integer (milliseconds)' },
} as const;

/** The secrets, each of which may instead be read from the file named by `<NAME>_FILE`. */
export const SECRET_OPTIONS = ['MONGODB_URI', 'REDIS_URL', 'REDIS_PASSWORD', 'LIVEKIT_API_SECRET', 'LIVEKIT_WEBHOOK_API_SECRET', 'CLINIC_API_TOKEN', 'CLINIC_API_KEYS', 'CLINIC_WEBHOOK_SECRET', 'CLINIC_WEBHOOK_ENDPOINT_SECRETS', 'METRICS_TOKEN'] as const;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

type Options = typeof OPTIONS;
export type Config = { readonly [K in keyof Options]: z.output<Options[K]['schema']> };

/** Thrown by {@link loadConfig}; its message lists every bad variable. */
export class ConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadConfigOptions {
  /** Reads a `<NAME>_FILE`'s contents. @defaultValue fs.readFileSync as UTF-8 */
  readFile?: (path: string) => string;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The raw value of `name`: the variable itself, or the contents of the file `<name>_FILE` names
 * (for a secret; one trailing newline dropped, as `echo` and editors leave one). An empty
 * variable means "not set", as in most shells' `VAR= cmd`.
 */
function rawValue(env: Env, name: string, readFile: (path: string) => string, problems: string[]): string | undefined {
  const direct = env[name] === '' ? undefined : env[name];
  const file = (SECRET_OPTIONS as readonly string[]).includes(name) && env[`${name}_FILE`] !== '' ? env[`${name}_FILE`] : undefined;
  if (file === undefined) return direct;
  if (direct !== undefined) {
    problems.push(`${name} and ${name}_FILE are both set: expected one of them`);
    return undefined;
  }
  try {
    const contents = readFile(file).replace(/\r?\n$/, '');
    return contents === '' ? undefined : contents;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    problems.push(`${name}_FILE cannot be read (${typeof code === 'string' ? code : 'error'}): expected the path of a readable file holding ${name}`);
    return undefined;
  }
}

/** Reads and validates the configuration from `env` (normally `process.env`). */
export function loadConfig(env: Env, options: LoadConfigOptions = {}): Config {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [name, option] of Object.entries(OPTIONS)) {
    const problemsBefore = problems.length;
    const raw = rawValue(env, name, readFile, problems);
    if (problems.length > problemsBefore) continue;
    const alternative = 'requiredUnless' in option ? option.requiredUnless : undefined;
    if (raw === undefined && alternative === undefined) {
      // fall through: the schema says whether it may be missing
    } else if (raw === undefined && !env[alternative as string]) {
      problems.push(`${name} is missing: expected ${option.expects}`);
      continue;
    }
    const parsed = (option.schema as z.ZodType).safeParse(raw);
    if (parsed.success) values[name] = parsed.data;
    else {
      // A check that can say exactly what is wrong (params.detail) says it after what is expected.
      const detail = parsed.error.issues.find((issue) => issue.code === 'custom' && (issue as { params?: { detail?: boolean } }).params?.detail)?.message;
      problems.push(`${name} ${raw === undefined ? 'is missing' : 'is invalid'}: expected ${option.expects}${detail ? ` (${detail})` : ''}`);
    }
  }
  const keys = values.CLINIC_API_KEYS as { name: string }[] | undefined;
  if (keys && values.CLINIC_API_TOKEN === undefined && keys.length === 0 && !problems.some((problem) => problem.startsWith('CLINIC_API'))) {
    problems.push('CLINIC_API_KEYS or CLINIC_API_TOKEN is missing: expected at least one clinic API key');
  }
  const ownSecrets = values.CLINIC_WEBHOOK_ENDPOINT_SECRETS as Record<string, string[]> | null | undefined;
  const unsigned = ((values.CLINIC_WEBHOOK_URLS as Endpoint[] | undefined) ?? []).filter((endpoint) => !ownSecrets?.[endpoint.name]);
  if (unsigned.length > 0 && (values.CLINIC_WEBHOOK_SECRET as string[] | undefined)?.length === 0 && !problems.some((problem) => problem.startsWith('CLINIC_WEBHOOK'))) {
    problems.push(`CLINIC_WEBHOOK_SECRET is missing: expected a whsec_ secret to sign the events sent to CLINIC_WEBHOOK_URLS (${unsigned.map((endpoint) => endpoint.name).join(', ')} ha${unsigned.length === 1 ? 's' : 've'} none of its own)`);
  }
  const names = (keys ?? []).map((key) => key.name).concat(values.CLINIC_API_TOKEN === undefined ? [] : ['default']);
  if (new Set(names).size !== names.length) problems.push('CLINIC_API_KEYS is invalid: expected each key name once (CLINIC_API_TOKEN is the key named default)');
  const grants = values.CLINIC_API_KEY_GRANTS as Record<string, unknown> | null | undefined;
  if (grants) {
    const ungranted = names.filter((name) => !(name in grants));
    const unknown = Object.keys(grants).filter((name) => !names.includes(name));
    if (ungranted.length > 0) problems.push(`CLINIC_API_KEY_GRANTS is invalid: expected a grant for every key (none for ${ungranted.join(', ')})`);
    if (unknown.length > 0) problems.push(`CLINIC_API_KEY_GRANTS is invalid: expected grants only for keys in force (no key named ${unknown.join(', ')})`);
  }
  const clinics = new Set(grants ? Object.values(grants as Record<string, KeyGrant>).map((grant) => grant.clinic) : [DEFAULT_CLINIC]);
  const callClinics = Object.keys((values.CLINIC_CALL_SETTINGS as Record<string, unknown> | null | undefined) ?? {});
  const unknownClinics = callClinics.filter((clinic) => !clinics.has(clinic));
  if (unknownClinics.length > 0) problems.push(`CLINIC_CALL_SETTINGS is invalid: expected only clinics a key acts for (${[...clinics].join(', ')}; not ${unknownClinics.join(', ')})`);
  problems.push(...endpointClinicProblems(values.CLINIC_WEBHOOK_URLS as Endpoint[] | undefined, values.CLINIC_WEBHOOK_ENDPOINT_CLINICS as Record<string, string> | null | undefined, clinics));
  if (!problems.some((problem) => problem.startsWith('CLINIC_WEBHOOK_ENDPOINT_CLINICS'))) problems.push(...endpointSecretProblems(values.CLINIC_WEBHOOK_URLS as Endpoint[] | undefined, values.CLINIC_WEBHOOK_ENDPOINT_CLINICS as Record<string, string> | null | undefined, ownSecrets, (values.CLINIC_WEBHOOK_SECRET as string[] | undefined) ?? []));
  const webhookKey = values.LIVEKIT_WEBHOOK_API_KEY as string | undefined;
  if (webhookKey !== undefined && webhookKey !== values.LIVEKIT_API_KEY && values.LIVEKIT_WEBHOOK_API_SECRET === undefined && !problems.some((problem) => problem.startsWith('LIVEKIT_WEBHOOK_API_SECRET'))) {
    problems.push('LIVEKIT_WEBHOOK_API_SECRET is missing: expected the secret of LIVEKIT_WEBHOOK_API_KEY, which differs from LIVEKIT_API_KEY');
  }
  if (webhookKey === undefined && values.LIVEKIT_WEBHOOK_API_SECRET !== undefined) {
    problems.push('LIVEKIT_WEBHOOK_API_KEY is missing: expected the key whose secret LIVEKIT_WEBHOOK_API_SECRET is');
  }
  if (values.HOST !== undefined && !LOOPBACK_HOSTS.has(values.HOST as string) && values.METRICS_PORT === undefined && values.METRICS_TOKEN === undefined && !problems.some((problem) => problem.startsWith('METRICS_'))) {
    problems.push('METRICS_PORT or METRICS_TOKEN is missing: expected one when HOST is not loopback, or /metrics would be public');
  }
  const sentinels = values.REDIS_SENTINELS as unknown[] | undefined;
  if (sentinels?.length && values.REDIS_URL !== undefined) problems.push('REDIS_URL and REDIS_SENTINELS are both set: expected one of them');
  if (sentinels?.length && values.REDIS_SENTINEL_NAME === undefined && !problems.some((problem) => problem.startsWith('REDIS_SENTINEL_NAME'))) {
    problems.push('REDIS_SENTINEL_NAME is missing: expected the name of the primary the Sentinels monitor');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Config;
}

/** The key pair LiveKit's webhooks are verified with: LIVEKIT_WEBHOOK_API_KEY and its secret, else the API key pair. */
export function liveKitWebhookKey(config: Config): { apiKey: string; apiSecret: string } {
  const apiKey = config.LIVEKIT_WEBHOOK_API_KEY ?? config.LIVEKIT_API_KEY;
  const apiSecret = config.LIVEKIT_WEBHOOK_API_SECRET ?? (apiKey === config.LIVEKIT_API_KEY ? config.LIVEKIT_API_SECRET : undefined);
  // loadConfig refuses a distinct webhook key without its secret.
  return { apiKey, apiSecret: apiSecret as string };
}

/** Where the service's Redis is: REDIS_URL, or the primary the Sentinels name. */
export function redisTarget(config: Config): RedisTarget {
  if (config.REDIS_SENTINELS.length > 0) {
    return {
      kind: 'sentinel',
      sentinels: config.REDIS_SENTINELS,
      name: config.REDIS_SENTINEL_NAME as string,
      ...(config.REDIS_PASSWORD === undefined ? {} : { password: config.REDIS_PASSWORD }),
    };
  }
  return { kind: 'server', url: config.REDIS_URL as string };
}

/** What is wrong with CLINIC_WEBHOOK_ENDPOINT_CLINICS against the endpoints and the clinics in force (nothing when either is unreadable: that is said already). */
function endpointClinicProblems(endpoints: readonly Endpoint[] | undefined, owners: Readonly<Record<string, string>> | null | undefined, clinics: ReadonlySet<string>): string[] {
  if (endpoints === undefined || owners === undefined) return [];
  const name = 'CLINIC_WEBHOOK_ENDPOINT_CLINICS';
  if (owners === null) {
    const others = [...clinics].filter((clinic) => clinic !== DEFAULT_CLINIC);
    return endpoints.length > 0 && others.length > 0 ? [`${name} is missing: expected the clinic of each endpoint of CLINIC_WEBHOOK_URLS, since CLINIC_API_KEY_GRANTS names clinics other than default (${others.join(', ')}): a clinic's events go to its own endpoints only`] : [];
  }
  const names = endpoints.map((endpoint) => endpoint.name);
  const problems: string[] = [];
  const unowned = names.filter((endpoint) => !(endpoint in owners));
  const unknown = Object.keys(owners).filter((endpoint) => !names.includes(endpoint));
  const strangers = [...new Set(Object.values(owners).filter((clinic) => clinic !== EVERY_CLINIC && !clinics.has(clinic)))];
  if (unowned.length > 0) problems.push(`${name} is invalid: expected a clinic for every endpoint of CLINIC_WEBHOOK_URLS (none for ${unowned.join(', ')})`);
  if (unknown.length > 0) problems.push(`${name} is invalid: expected only endpoints of CLINIC_WEBHOOK_URLS (no endpoint named ${unknown.join(', ')})`);
  if (strangers.length > 0) problems.push(`${name} is invalid: expected clinics a key acts for, or "*" (${[...clinics].join(', ')}; not ${strangers.join(', ')})`);
  return problems;
}

/**
 * What is wrong with CLINIC_WEBHOOK_ENDPOINT_SECRETS: names that are no endpoint, and a secret
 * shared by endpoints of different clinics (with CLINIC_WEBHOOK_SECRET as the secret of every
 * endpoint without its own), which would let one clinic sign events for another's endpoint.
 */
function endpointSecretProblems(endpoints: readonly Endpoint[] | undefined, owners: Readonly<Record<string, string>> | null | undefined, own: Readonly<Record<string, string[]>> | null | undefined, shared: readonly string[]): string[] {
  if (endpoints === undefined || own === undefined || owners === undefined) return [];
  const name = 'CLINIC_WEBHOOK_ENDPOINT_SECRETS';
  const unknown = Object.keys(own ?? {}).filter((endpoint) => !endpoints.some((known) => known.name === endpoint));
  if (unknown.length > 0) return [`${name} is invalid: expected only endpoints of CLINIC_WEBHOOK_URLS (no endpoint named ${unknown.join(', ')})`];
  const signed = endpoints.map((endpoint) => ({ endpoint: endpoint.name, clinic: owners?.[endpoint.name] ?? DEFAULT_CLINIC, secrets: own?.[endpoint.name] ?? shared }));
  const problems: string[] = [];
  for (const [i, a] of signed.entries()) {
    for (const b of signed.slice(i + 1)) {
      if (a.clinic !== b.clinic && a.secrets.some((secret) => b.secrets.includes(secret))) {
        problems.push(`${name} is invalid: expected a secret of its own for each clinic's endpoints (${a.endpoint} of ${a.clinic} and ${b.endpoint} of ${b.clinic} are signed with the same secret, so one clinic could sign events the other's endpoint accepts)`);
      }
    }
  }
  return problems;
}

/** The endpoints of CLINIC_WEBHOOK_URLS, each with the clinic whose events it receives and the secrets its events are signed with. */
export function clinicEndpoints(config: Config): ClinicEndpoint[] {
  return assignClinics(config.CLINIC_WEBHOOK_URLS, config.CLINIC_WEBHOOK_ENDPOINT_CLINICS, DEFAULT_CLINIC).map((endpoint) => ({
    ...endpoint,
    secrets: config.CLINIC_WEBHOOK_ENDPOINT_SECRETS?.[endpoint.name] ?? config.CLINIC_WEBHOOK_SECRET,
  }));
}

/** Every clinic API key in force (CLINIC_API_KEYS, and CLINIC_API_TOKEN as the key named `default`), with its clinic and scopes. */
export function clinicApiKeys(config: Config): ClinicApiKey[] {
  const keys = [...config.CLINIC_API_KEYS, ...(config.CLINIC_API_TOKEN === undefined ? [] : [{ name: 'default', secret: config.CLINIC_API_TOKEN }])];
  return grantKeys(keys, config.CLINIC_API_KEY_GRANTS);
}
