// Configuration validation: defaults, parsing, and messages that name the variable and what it
// expects (and never echo a value, since some are secrets).
import { clinicApiKeys, ConfigError, loadConfig } from '../../../webhook-service/config';

const valid = {
  MONGODB_URI: 'mongodb://127.0.0.1:27017/autostart',
  REDIS_URL: 'redis://127.0.0.1:6379',
  LIVEKIT_URL: 'ws://127.0.0.1:7880',
  LIVEKIT_API_KEY: 'key',
  LIVEKIT_API_SECRET: 'secret-value',
  CLINIC_API_TOKEN: 'a-clinic-token-of-some-length',
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

test('when only the required variables are set, then every option has its documented default', () => {
  expect(loadConfig(valid)).toEqual({
    ...valid,
    PORT: 8080,
    HOST: '127.0.0.1',
    LIVEKIT_PUBLIC_URL: undefined,
    LIVEKIT_REQUEST_TIMEOUT_SECONDS: 10,
    BULLMQ_PREFIX: 'autostart',
    CLINIC_API_KEYS: [],
    CLINIC_WEBHOOK_URLS: [],
    CLINIC_WEBHOOK_SECRET: undefined,
    CLINIC_WEBHOOK_RETRY_HOURS: 24,
    CLINIC_WEBHOOK_BACKOFF_MS: 1000,
    SESSION_COPY_PREFIX: 'autostart-copy',
    SESSION_COPY_TTL_SECONDS: 2592000,
    SESSION_REJOIN_GRACE_SECONDS: 600,
    NO_SHOW_AFTER_SECONDS: 1800,
    RECONCILE_INTERVAL_SECONDS: 30,
    RETENTION_DAYS: 0,
    RETENTION_INTERVAL_SECONDS: 3600,
    JOB_ATTEMPTS: 10,
    JOB_BACKOFF_MS: 1000,
    WEBHOOK_MAX_BYTES: 65536,
    WEBHOOK_MAX_AGE_SECONDS: 300,
    WEBHOOK_CLOCK_TOLERANCE_SECONDS: 10,
    TOKEN_TTL_SECONDS: 600,
    CORS_ORIGINS: [],
    LOG_LEVEL: 'info',
    WORKER_CONCURRENCY: 8,
    WORKER_LOCK_DURATION_MS: 30000,
    WORKER_STALLED_INTERVAL_MS: 30000,
    SHUTDOWN_TIMEOUT_MS: 20000,
  });
});

test('when values are given, then numbers are parsed and CORS_ORIGINS is split and trimmed', () => {
  const config = loadConfig({ ...valid, PORT: '0', TOKEN_TTL_SECONDS: '120', CORS_ORIGINS: 'https://a.example, https://b.example ,', LIVEKIT_PUBLIC_URL: 'wss://lk.example' });
  expect(config).toMatchObject({ PORT: 0, TOKEN_TTL_SECONDS: 120, CORS_ORIGINS: ['https://a.example', 'https://b.example'], LIVEKIT_PUBLIC_URL: 'wss://lk.example' });
});

test('when required variables are missing, then the message names each of them and what it expects', () => {
  expect(problemsOf({})).toEqual([
    'MONGODB_URI is missing: expected a mongodb:// or mongodb+srv:// URI',
    'REDIS_URL is missing: expected a redis:// or rediss:// URL',
    'LIVEKIT_URL is missing: expected a ws://, wss://, http:// or https:// URL',
    'LIVEKIT_API_KEY is missing: expected a non-empty LiveKit API key',
    'LIVEKIT_API_SECRET is missing: expected a non-empty LiveKit API secret',
    'CLINIC_API_KEYS or CLINIC_API_TOKEN is missing: expected at least one clinic API key',
  ]);
});

test.each([
  ['PORT', '70000', 'an integer port 0-65535'],
  ['PORT', 'http', 'an integer port 0-65535'],
  ['MONGODB_URI', 'postgres://db', 'a mongodb:// or mongodb+srv:// URI'],
  ['REDIS_URL', '127.0.0.1:6379', 'a redis:// or rediss:// URL'],
  ['WEBHOOK_MAX_BYTES', '-1', 'a positive integer (bytes)'],
  ['TOKEN_TTL_SECONDS', '1.5', 'a positive integer (seconds)'],
  ['LOG_LEVEL', 'verbose', 'one of fatal, error, warn, info, debug, trace, silent'],
  ['BULLMQ_PREFIX', 'has:colon', 'letters, digits, _ . - (1-64)'],
])('when %s is %s, then the message says it is invalid and what it expects', (name, value, expects) => {
  expect(problemsOf({ ...valid, [name]: value })).toEqual([`${name} is invalid: expected ${expects}`]);
});

test('when the clinic token is too short, then the message does not repeat it', () => {
  let message = '';
  try {
    loadConfig({ ...valid, CLINIC_API_TOKEN: 'short-secret' });
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toContain('CLINIC_API_TOKEN is invalid: expected a secret of at least 16 characters');
  expect(message).not.toContain('short-secret');
});

test('when a variable is set but empty, then it counts as not set', () => {
  expect(loadConfig({ ...valid, PORT: '' }).PORT).toBe(8080);
  expect(problemsOf({ ...valid, REDIS_URL: '' })).toEqual(['REDIS_URL is missing: expected a redis:// or rediss:// URL']);
});

describe('clinic API keys', () => {
  const { CLINIC_API_TOKEN: _token, ...withoutToken } = valid;

  test('named keys, several at once, with the single token as the key named default', () => {
    const config = loadConfig({ ...valid, CLINIC_API_KEYS: 'portal-2026:secret-of-the-new-key-0001, portal-2025:secret-of-the-old-key-0001' });
    expect(clinicApiKeys(config)).toEqual([
      { name: 'portal-2026', secret: 'secret-of-the-new-key-0001' },
      { name: 'portal-2025', secret: 'secret-of-the-old-key-0001' },
      { name: 'default', secret: valid.CLINIC_API_TOKEN },
    ]);
  });

  test('keys alone are enough; no key at all is refused', () => {
    expect(clinicApiKeys(loadConfig({ ...withoutToken, CLINIC_API_KEYS: 'portal:secret-of-the-key-0001' }))).toEqual([{ name: 'portal', secret: 'secret-of-the-key-0001' }]);
    expect(problemsOf(withoutToken)).toEqual(['CLINIC_API_KEYS or CLINIC_API_TOKEN is missing: expected at least one clinic API key']);
  });

  test.each([['portal:short'], ['no-secret-here'], ['bad name:secret-of-the-key-0001'], ['a:secret-of-the-key-0001,a:another-secret-of-16']])('a bad list (%s) is refused, naming the variable', (keys) => {
    expect(problemsOf({ ...valid, CLINIC_API_KEYS: keys })[0]).toMatch(/^CLINIC_API_KEYS is invalid: expected /);
  });
});

test('clinic webhook URLs need their signing secret', () => {
  expect(problemsOf({ ...valid, CLINIC_WEBHOOK_URLS: 'https://clinic.example/hooks' })).toEqual([
    'CLINIC_WEBHOOK_SECRET is missing: expected a whsec_ secret to sign the events sent to CLINIC_WEBHOOK_URLS',
  ]);
  expect(problemsOf({ ...valid, CLINIC_WEBHOOK_URLS: 'ftp://clinic.example', CLINIC_WEBHOOK_SECRET: 'whsec_MDEyMzQ1Njc4OWFiY2RlZg==' })[0]).toMatch(/^CLINIC_WEBHOOK_URLS is invalid/);
});
