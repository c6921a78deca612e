// Configuration validation: defaults, parsing, and messages that name the variable and what it
// expects (and never echo a value, since some are secrets); secrets read from files; the key
// pair webhooks are verified with.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { callSettingsFor } from '../../../webhook-service/clinicCalls';
import { CLINIC_SCOPES } from '../../../webhook-service/clinicKeys';
import { clinicApiKeys, clinicEndpoints, ConfigError, liveKitWebhookKey, loadConfig } from '../../../webhook-service/config';

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
    LIVEKIT_WEBHOOK_API_KEY: undefined,
    LIVEKIT_WEBHOOK_API_SECRET: undefined,
    LIVEKIT_REQUEST_TIMEOUT_SECONDS: 10,
    BULLMQ_PREFIX: 'autostart',
    CLINIC_API_KEYS: [],
    CLINIC_API_KEY_GRANTS: null,
    CLINIC_CALL_SETTINGS: null,
    CLINIC_WEBHOOK_ENDPOINT_CLINICS: null,
    CLINIC_WEBHOOK_ENDPOINT_SECRETS: null,
    IDEMPOTENCY_KEY_TTL_HOURS: 24,
    CLINIC_WEBHOOK_URLS: [],
    CLINIC_WEBHOOK_SECRET: [],
    CLINIC_WEBHOOK_RETRY_HOURS: 24,
    CLINIC_WEBHOOK_BACKOFF_MS: 1000,
    CLINIC_WEBHOOK_CONCURRENCY: 8,
    CLINIC_WEBHOOK_BACKLOG_WARN: 1000,
    SESSION_COPY_PREFIX: 'autostart-copy',
    SESSION_COPY_TTL_SECONDS: 2592000,
    SESSION_REJOIN_GRACE_SECONDS: 600,
    NO_SHOW_AFTER_SECONDS: 1800,
    RECONCILE_INTERVAL_SECONDS: 30,
    REDIS_SENTINELS: [],
    RETENTION_DAYS: 0,
    RETENTION_INTERVAL_SECONDS: 3600,
    JOB_ATTEMPTS: 10,
    JOB_BACKOFF_MS: 1000,
    GROUP_COMMIT_WINDOW_MS: 5,
    GROUP_COMMIT_MAX_WRITES: 256,
    WEBHOOK_MAX_BYTES: 65536,
    WEBHOOK_MAX_AGE_SECONDS: 300,
    WEBHOOK_CLOCK_TOLERANCE_SECONDS: 10,
    TOKEN_TTL_SECONDS: 600,
    CORS_ORIGINS: [],
    SERVICE_PUBLIC_URL: undefined,
    RATE_LIMIT_PER_KEY_PER_MINUTE: 1200,
    RATE_LIMIT_PER_ADDRESS_PER_MINUTE: 2400,
    TRUST_PROXY_HOPS: 0,
    LOG_LEVEL: 'info',
    WORKER_CONCURRENCY: 8,
    WORKER_LOCK_DURATION_MS: 30000,
    WORKER_STALLED_INTERVAL_MS: 30000,
    SHUTDOWN_TIMEOUT_MS: 20000,
    SHUTDOWN_DRAIN_DELAY_MS: 0,
    READINESS_CACHE_MS: 5000,
    METRICS_PORT: undefined,
    METRICS_HOST: undefined,
    METRICS_TOKEN: undefined,
  });
});

test('when values are given, then numbers are parsed and CORS_ORIGINS is split and trimmed', () => {
  const config = loadConfig({ ...valid, PORT: '0', TOKEN_TTL_SECONDS: '120', CORS_ORIGINS: 'https://a.example, https://b.example ,', LIVEKIT_PUBLIC_URL: 'wss://lk.example' });
  expect(config).toMatchObject({ PORT: 0, TOKEN_TTL_SECONDS: 120, CORS_ORIGINS: ['https://a.example', 'https://b.example'], LIVEKIT_PUBLIC_URL: 'wss://lk.example' });
});

test('when required variables are missing, then the message names each of them and what it expects', () => {
  expect(problemsOf({})).toEqual([
    'MONGODB_URI is missing: expected a mongodb:// or mongodb+srv:// URI that names its database (mongodb://host:27017/counseling)',
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
  ['MONGODB_URI', 'postgres://db', 'a mongodb:// or mongodb+srv:// URI that names its database (mongodb://host:27017/counseling)'],
  ['REDIS_URL', '127.0.0.1:6379', 'a redis:// or rediss:// URL'],
  ['WEBHOOK_MAX_BYTES', '-1', 'a positive integer (bytes)'],
  ['TOKEN_TTL_SECONDS', '1.5', 'a positive integer (seconds)'],
  ['LOG_LEVEL', 'verbose', 'one of fatal, error, warn, info, debug, trace, silent'],
  ['BULLMQ_PREFIX', 'has:colon', 'letters, digits, _ . - (1-64)'],
  ['GROUP_COMMIT_WINDOW_MS', '-1', 'an integer 0-1000 (milliseconds; 0 = off)'],
  ['GROUP_COMMIT_MAX_WRITES', '0', 'an integer 1-10000'],
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
    const every = [...CLINIC_SCOPES];
    expect(clinicApiKeys(config)).toEqual([
      { name: 'portal-2026', secret: 'secret-of-the-new-key-0001', clinicId: 'default', scopes: every },
      { name: 'portal-2025', secret: 'secret-of-the-old-key-0001', clinicId: 'default', scopes: every },
      { name: 'default', secret: valid.CLINIC_API_TOKEN, clinicId: 'default', scopes: every },
    ]);
  });

  test('keys alone are enough; no key at all is refused', () => {
    expect(clinicApiKeys(loadConfig({ ...withoutToken, CLINIC_API_KEYS: 'portal:secret-of-the-key-0001' }))).toEqual([{ name: 'portal', secret: 'secret-of-the-key-0001', clinicId: 'default', scopes: [...CLINIC_SCOPES] }]);
    expect(problemsOf(withoutToken)).toEqual(['CLINIC_API_KEYS or CLINIC_API_TOKEN is missing: expected at least one clinic API key']);
  });

  test('grants give each key a clinic and scopes (all scopes when left out)', () => {
    const grants = JSON.stringify({ north: { clinic: 'clinic-north', scopes: ['sessions:read', 'audit:read'] }, south: { clinic: 'clinic-south' } });
    const config = loadConfig({ ...withoutToken, CLINIC_API_KEYS: 'north:secret-of-the-key-0001,south:secret-of-the-key-0002', CLINIC_API_KEY_GRANTS: grants });
    expect(clinicApiKeys(config)).toEqual([
      { name: 'north', secret: 'secret-of-the-key-0001', clinicId: 'clinic-north', scopes: ['sessions:read', 'audit:read'] },
      { name: 'south', secret: 'secret-of-the-key-0002', clinicId: 'clinic-south', scopes: [...CLINIC_SCOPES] },
    ]);
  });

  test('with grants, a key without one, or a grant without its key, is refused, naming them', () => {
    const keys = 'north:secret-of-the-key-0001,south:secret-of-the-key-0002';
    expect(problemsOf({ ...withoutToken, CLINIC_API_KEYS: keys, CLINIC_API_KEY_GRANTS: JSON.stringify({ north: { clinic: 'n' }, west: { clinic: 'w' } }) })).toEqual([
      'CLINIC_API_KEY_GRANTS is invalid: expected a grant for every key (none for south)',
      'CLINIC_API_KEY_GRANTS is invalid: expected grants only for keys in force (no key named west)',
    ]);
  });

  test.each([['not json'], ['[]'], ['{"north":{"clinic":"bad clinic"}}'], ['{"north":{"clinic":"n","scopes":["sessions:delete"]}}'], ['{"north":{"clinic":"n","scopes":[]}}'], ['{"north":{"clinic":"n","extra":1}}']])(
    'a bad grant (%s) is refused, naming the variable and the form',
    (grants) => {
      expect(problemsOf({ ...withoutToken, CLINIC_API_KEYS: 'north:secret-of-the-key-0001', CLINIC_API_KEY_GRANTS: grants })).toEqual([
        expect.stringMatching(/^CLINIC_API_KEY_GRANTS is invalid: expected a JSON object by key name of \{ "clinic"/),
      ]);
    },
  );

  test.each([['portal:short'], ['no-secret-here'], ['bad name:secret-of-the-key-0001'], ['a:secret-of-the-key-0001,a:another-secret-of-16']])('a bad list (%s) is refused, naming the variable', (keys) => {
    expect(problemsOf({ ...valid, CLINIC_API_KEYS: keys })[0]).toMatch(/^CLINIC_API_KEYS is invalid: expected /);
  });
});

test('clinic webhook URLs need their signing secret', () => {
  expect(problemsOf({ ...valid, CLINIC_WEBHOOK_URLS: 'https://clinic.example/hooks' })).toEqual([
    'CLINIC_WEBHOOK_SECRET is missing: expected a whsec_ secret to sign the events sent to CLINIC_WEBHOOK_URLS (url-40299fb4cbdd has none of its own)',
  ]);
  expect(problemsOf({ ...valid, CLINIC_WEBHOOK_URLS: 'ftp://clinic.example', CLINIC_WEBHOOK_SECRET: 'whsec_MDEyMzQ1Njc4OWFiY2RlZg==' })[0]).toMatch(/^CLINIC_WEBHOOK_URLS is invalid/);
  // What exactly is wrong, after what is expected; never the URL itself.
  expect(problemsOf({ ...valid, CLINIC_WEBHOOK_URLS: 'crm=http://clinic.example/hooks?token=abc', CLINIC_WEBHOOK_SECRET: 'whsec_MDEyMzQ1Njc4OWFiY2RlZg==' })).toEqual([
    'CLINIC_WEBHOOK_URLS is invalid: expected comma-separated `name=https://...` entries (http:// only on loopback) (endpoint "crm" must use https:// (http:// only on loopback))',
  ]);
  expect(loadConfig({ ...valid, CLINIC_WEBHOOK_URLS: 'crm=https://clinic.example/hooks, dev=http://127.0.0.1:9000/h', CLINIC_WEBHOOK_SECRET: 'whsec_MDEyMzQ1Njc4OWFiY2RlZg==' }).CLINIC_WEBHOOK_URLS).toEqual([
    { name: 'crm', url: 'https://clinic.example/hooks' },
    { name: 'dev', url: 'http://127.0.0.1:9000/h' },
  ]);
});

describe('MONGODB_URI names its database', () => {
  test.each([
    ['mongodb://127.0.0.1:27017'],
    ['mongodb://127.0.0.1:27017/'],
    ['mongodb://a:27017,b:27017/?replicaSet=rs0'],
    ['mongodb+srv://user:pw@cluster.example/?retryWrites=true'],
    ['mongodb://127.0.0.1:27017/has.dot'],
  ])('when it is %s, then it is refused without echoing it', (uri) => {
    expect(problemsOf({ ...valid, MONGODB_URI: uri })).toEqual([
      'MONGODB_URI is invalid: expected a mongodb:// or mongodb+srv:// URI that names its database (mongodb://host:27017/counseling)',
    ]);
  });

  test.each([['mongodb://a:27017,b:27017/counseling?replicaSet=rs0'], ['mongodb+srv://user:pw@cluster.example/counseling'], ['mongodb://127.0.0.1:27017/autostart_e2e_1f']])(
    'when it is %s, then it is accepted',
    (uri) => {
      expect(loadConfig({ ...valid, MONGODB_URI: uri }).MONGODB_URI).toBe(uri);
    },
  );
});

describe('secrets from files (<NAME>_FILE)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autostart-config-'));
  const file = (name: string, contents: string): string => {
    const target = path.join(dir, name);
    fs.writeFileSync(target, contents);
    return target;
  };
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('when each secret is given as a file, then its contents are the value, a trailing newline dropped', () => {
    const { LIVEKIT_API_SECRET: _s, CLINIC_API_TOKEN: _t, MONGODB_URI: _m, REDIS_URL: _r, ...rest } = valid;
    const config = loadConfig({
      ...rest,
      MONGODB_URI_FILE: file('mongo', 'mongodb://user:pw@db.example:27017/counseling\n'),
      REDIS_URL_FILE: file('redis', 'redis://:pw@redis.example:6379'),
      LIVEKIT_API_SECRET_FILE: file('lk', 'from-a-file\n'),
      LIVEKIT_WEBHOOK_API_KEY: 'APIwebhooks',
      LIVEKIT_WEBHOOK_API_SECRET_FILE: file('lkw', 'webhook-secret-from-a-file\r\n'),
      CLINIC_API_TOKEN_FILE: file('token', 'a-clinic-token-from-a-file\n'),
      CLINIC_API_KEYS_FILE: file('keys', 'portal:secret-of-the-key-0001\n'),
      CLINIC_WEBHOOK_URLS: 'https://clinic.example/hooks',
      CLINIC_WEBHOOK_SECRET_FILE: file('whsec', 'whsec_MDEyMzQ1Njc4OWFiY2RlZg==\n'),
    });
    expect(config).toMatchObject({
      MONGODB_URI: 'mongodb://user:pw@db.example:27017/counseling',
      REDIS_URL: 'redis://:pw@redis.example:6379',
      LIVEKIT_API_SECRET: 'from-a-file',
      LIVEKIT_WEBHOOK_API_SECRET: 'webhook-secret-from-a-file',
      CLINIC_API_TOKEN: 'a-clinic-token-from-a-file',
      CLINIC_API_KEYS: [{ name: 'portal', secret: 'secret-of-the-key-0001' }],
      CLINIC_WEBHOOK_SECRET: ['whsec_MDEyMzQ1Njc4OWFiY2RlZg=='],
    });
  });

  test('when both the variable and its file are set, then that is refused', () => {
    expect(problemsOf({ ...valid, CLINIC_API_TOKEN_FILE: file('both', 'a-clinic-token-from-a-file') })).toEqual([
      'CLINIC_API_TOKEN and CLINIC_API_TOKEN_FILE are both set: expected one of them',
    ]);
  });

  test('when the file cannot be read, then the message names the variable and the reason, not the path', () => {
    const { LIVEKIT_API_SECRET: _s, ...rest } = valid;
    const missing = path.join(dir, 'no-such-file');
    const problems = problemsOf({ ...rest, LIVEKIT_API_SECRET_FILE: missing });
    expect(problems).toEqual(['LIVEKIT_API_SECRET_FILE cannot be read (ENOENT): expected the path of a readable file holding LIVEKIT_API_SECRET']);
  });

  test('when a file holds a bad value, then the message names the variable and never the value', () => {
    const { CLINIC_API_TOKEN: _t, ...rest } = valid;
    let message = '';
    try {
      loadConfig({ ...rest, CLINIC_API_TOKEN_FILE: file('short', 'short-secret\n') });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('CLINIC_API_TOKEN is invalid: expected a secret of at least 16 characters');
    expect(message).not.toContain('short-secret');
  });

  test('when a setting that is not a secret has a _FILE, then it is not read', () => {
    expect(loadConfig({ ...valid, PORT_FILE: file('port', '1234') }).PORT).toBe(8080);
  });
});

describe('the key LiveKit signs webhooks with', () => {
  test('when no webhook key is set, then webhooks are verified with the API key pair', () => {
    expect(liveKitWebhookKey(loadConfig(valid))).toEqual({ apiKey: 'key', apiSecret: 'secret-value' });
  });

  test('when a distinct webhook key and its secret are set, then webhooks are verified with them, the API with the API key', () => {
    const config = loadConfig({ ...valid, LIVEKIT_WEBHOOK_API_KEY: 'APIwebhooks', LIVEKIT_WEBHOOK_API_SECRET: 'the-webhook-secret' });
    expect(liveKitWebhookKey(config)).toEqual({ apiKey: 'APIwebhooks', apiSecret: 'the-webhook-secret' });
    expect(config.LIVEKIT_API_KEY).toBe('key');
  });

  test('when the webhook key is the API key, then its secret is the API secret', () => {
    expect(liveKitWebhookKey(loadConfig({ ...valid, LIVEKIT_WEBHOOK_API_KEY: 'key' }))).toEqual({ apiKey: 'key', apiSecret: 'secret-value' });
  });

  test('when a distinct webhook key comes without its secret, or a secret without its key, then that is refused', () => {
    expect(problemsOf({ ...valid, LIVEKIT_WEBHOOK_API_KEY: 'APIwebhooks' })).toEqual([
      'LIVEKIT_WEBHOOK_API_SECRET is missing: expected the secret of LIVEKIT_WEBHOOK_API_KEY, which differs from LIVEKIT_API_KEY',
    ]);
    expect(problemsOf({ ...valid, LIVEKIT_WEBHOOK_API_SECRET: 'the-webhook-secret' })).toEqual([
      'LIVEKIT_WEBHOOK_API_KEY is missing: expected the key whose secret LIVEKIT_WEBHOOK_API_SECRET is',
    ]);
  });
});

describe('CLINIC_WEBHOOK_SECRET rotation', () => {
  const hooks = { ...valid, CLINIC_WEBHOOK_URLS: 'https://clinic.example/hooks' };

  test('when two secrets are given, then both are kept, the new one first', () => {
    const config = loadConfig({ ...hooks, CLINIC_WEBHOOK_SECRET: 'whsec_bmV3LXNlY3JldC0wMDAwMDA=, whsec_b2xkLXNlY3JldC0wMDAwMDA=' });
    expect(config.CLINIC_WEBHOOK_SECRET).toEqual(['whsec_bmV3LXNlY3JldC0wMDAwMDA=', 'whsec_b2xkLXNlY3JldC0wMDAwMDA=']);
  });

  test('when three are given or one is not a whsec_ secret, then that is refused', () => {
    const three = 'whsec_MDEyMzQ1Njc4OWFiY2RlZg==,whsec_MDEyMzQ1Njc4OWFiY2RlZg==,whsec_MDEyMzQ1Njc4OWFiY2RlZg==';
    expect(problemsOf({ ...hooks, CLINIC_WEBHOOK_SECRET: three })[0]).toMatch(/^CLINIC_WEBHOOK_SECRET is invalid: expected .*two of them/);
    expect(problemsOf({ ...hooks, CLINIC_WEBHOOK_SECRET: 'whsec_MDEyMzQ1Njc4OWFiY2RlZg==,plain' })[0]).toMatch(/^CLINIC_WEBHOOK_SECRET is invalid/);
  });
});

describe('/metrics is never public', () => {
  test('when the service listens beyond loopback, then /metrics needs a port of its own or a token', () => {
    expect(problemsOf({ ...valid, HOST: '0.0.0.0' })).toEqual(['METRICS_PORT or METRICS_TOKEN is missing: expected one when HOST is not loopback, or /metrics would be public']);
    expect(loadConfig({ ...valid, HOST: '0.0.0.0', METRICS_PORT: '9464' })).toMatchObject({ METRICS_PORT: 9464 });
    expect(loadConfig({ ...valid, HOST: '0.0.0.0', METRICS_TOKEN: 'a-metrics-token-of-16+' })).toMatchObject({ METRICS_TOKEN: 'a-metrics-token-of-16+' });
  });

  test('when the metrics token is short, then it is refused without being echoed', () => {
    const problems = problemsOf({ ...valid, METRICS_TOKEN: 'short-token' });
    expect(problems).toEqual(['METRICS_TOKEN is invalid: expected a secret of at least 16 characters']);
  });
});

describe('CLINIC_CALL_SETTINGS', () => {
  const base = { MONGODB_URI: 'mongodb://127.0.0.1:27017/counseling', REDIS_URL: 'redis://127.0.0.1:6379', LIVEKIT_URL: 'http://127.0.0.1:7880', LIVEKIT_API_KEY: 'key', LIVEKIT_API_SECRET: 'secret', CLINIC_API_TOKEN: 'a-clinic-token-of-16+' };
  const problemsWith = (env: Record<string, string>): string[] => problemsOf({ ...base, ...env });

  test('settings for a clinic a key acts for are read, the others get the defaults', () => {
    const config = loadConfig({ ...base, CLINIC_CALL_SETTINGS: '{"default":{"screenShare":"everyone","chat":false}}' });
    expect(callSettingsFor(config.CLINIC_CALL_SETTINGS, 'default')).toEqual({ screenShare: 'everyone', chat: false });
    expect(callSettingsFor(loadConfig(base).CLINIC_CALL_SETTINGS, 'default')).toEqual({ screenShare: 'counselor', chat: true });
  });

  test.each([
    ['not JSON', '{screenShare:everyone}', 'CLINIC_CALL_SETTINGS is invalid: expected a JSON object by clinic id of { "screenShare": "counselor" | "everyone" | "none", "chat": true | false }'],
    ['a policy misspelt', '{"default":{"screenShare":"all"}}', 'CLINIC_CALL_SETTINGS is invalid: expected a JSON object by clinic id of { "screenShare": "counselor" | "everyone" | "none", "chat": true | false }'],
    ['a field it does not know', '{"default":{"chat":true,"recording":true}}', 'CLINIC_CALL_SETTINGS is invalid: expected a JSON object by clinic id of { "screenShare": "counselor" | "everyone" | "none", "chat": true | false }'],
    ['a clinic no key acts for', '{"nort":{"chat":false}}', 'CLINIC_CALL_SETTINGS is invalid: expected only clinics a key acts for (default; not nort)'],
  ])('%s is refused, saying what is expected', (_case, value, problem) => {
    expect(problemsWith({ CLINIC_CALL_SETTINGS: value })).toEqual([problem]);
  });
});

describe('CLINIC_WEBHOOK_ENDPOINT_CLINICS', () => {
  const base = { MONGODB_URI: 'mongodb://127.0.0.1:27017/counseling', REDIS_URL: 'redis://127.0.0.1:6379', LIVEKIT_URL: 'http://127.0.0.1:7880', LIVEKIT_API_KEY: 'key', LIVEKIT_API_SECRET: 'secret', CLINIC_WEBHOOK_SECRET: `whsec_${Buffer.from('a-secret-of-the-clinic-hooks').toString('base64')}` };
  const twoClinics = {
    CLINIC_API_KEYS: 'north-portal:north-secret-0123456789,south-portal:south-secret-0123456789',
    CLINIC_API_KEY_GRANTS: JSON.stringify({ 'north-portal': { clinic: 'north' }, 'south-portal': { clinic: 'south' } }),
    CLINIC_WEBHOOK_URLS: 'crm-north=https://north.example/hooks,crm-south=https://south.example/hooks,ops=https://ops.example/in',
  };
  const problemsWith = (env: Record<string, string>): string[] => problemsOf({ ...base, ...env });
  const secretOf = (word: string) => `whsec_${Buffer.from(`the ${word} endpoint's own secret`).toString('base64')}`;
  const ownSecrets = JSON.stringify({ 'crm-north': secretOf('north'), 'crm-south': secretOf('south'), ops: secretOf('ops') });

  test('each endpoint is signed with its own secret, or with CLINIC_WEBHOOK_SECRET; two during a rotation', () => {
    const endpointClinics = '{"crm-north":"north","crm-south":"south","ops":"*"}';
    const rotating = JSON.stringify({ 'crm-north': [secretOf('new north'), secretOf('north')], 'crm-south': secretOf('south') });
    const config = loadConfig({ ...base, ...twoClinics, CLINIC_WEBHOOK_ENDPOINT_CLINICS: endpointClinics, CLINIC_WEBHOOK_ENDPOINT_SECRETS: rotating });
    expect(clinicEndpoints(config).map(({ name, secrets }) => [name, secrets])).toEqual([
      ['crm-north', [secretOf('new north'), secretOf('north')]],
      ['crm-south', [secretOf('south')]],
      ['ops', [base.CLINIC_WEBHOOK_SECRET]],
    ]);
    // Every endpoint with a secret of its own: CLINIC_WEBHOOK_SECRET is not needed.
    const { CLINIC_WEBHOOK_SECRET: _unused, ...withoutShared } = base;
    expect(() => loadConfig({ ...withoutShared, ...twoClinics, CLINIC_WEBHOOK_ENDPOINT_CLINICS: endpointClinics, CLINIC_WEBHOOK_ENDPOINT_SECRETS: ownSecrets })).not.toThrow();
  });

  test.each([
    ['two clinics signed with the one CLINIC_WEBHOOK_SECRET', {}, [
      'CLINIC_WEBHOOK_ENDPOINT_SECRETS is invalid: expected a secret of its own for each clinic\'s endpoints (crm-north of north and crm-south of south are signed with the same secret, so one clinic could sign events the other\'s endpoint accepts)',
      'CLINIC_WEBHOOK_ENDPOINT_SECRETS is invalid: expected a secret of its own for each clinic\'s endpoints (crm-north of north and ops of * are signed with the same secret, so one clinic could sign events the other\'s endpoint accepts)',
      'CLINIC_WEBHOOK_ENDPOINT_SECRETS is invalid: expected a secret of its own for each clinic\'s endpoints (crm-south of south and ops of * are signed with the same secret, so one clinic could sign events the other\'s endpoint accepts)',
    ]],
    ['one secret given to two clinics\' endpoints', { CLINIC_WEBHOOK_ENDPOINT_SECRETS: JSON.stringify({ 'crm-north': secretOf('north'), 'crm-south': [secretOf('south'), secretOf('north')], ops: secretOf('ops') }) }, [
      'CLINIC_WEBHOOK_ENDPOINT_SECRETS is invalid: expected a secret of its own for each clinic\'s endpoints (crm-north of north and crm-south of south are signed with the same secret, so one clinic could sign events the other\'s endpoint accepts)',
    ]],
    ['an endpoint that does not exist', { CLINIC_WEBHOOK_ENDPOINT_SECRETS: JSON.stringify({ 'crm-nort': secretOf('north') }) }, [
      'CLINIC_WEBHOOK_ENDPOINT_SECRETS is invalid: expected only endpoints of CLINIC_WEBHOOK_URLS (no endpoint named crm-nort)',
    ]],
    ['a secret that is not whsec_', { CLINIC_WEBHOOK_ENDPOINT_SECRETS: JSON.stringify({ 'crm-north': 'plain-text-secret' }) }, [
      'CLINIC_WEBHOOK_ENDPOINT_SECRETS is invalid: expected a JSON object by endpoint name of its whsec_ signing secret, or of two during a rotation',
    ]],
  ])('refused: %s', (_case, env, problems) => {
    expect(problemsWith({ ...twoClinics, CLINIC_WEBHOOK_ENDPOINT_CLINICS: '{"crm-north":"north","crm-south":"south","ops":"*"}', ...env })).toEqual(problems);
  });

  test('each endpoint gets its clinic; without the setting, one clinic keeps every endpoint as before', () => {
    const config = loadConfig({ ...base, ...twoClinics, CLINIC_WEBHOOK_ENDPOINT_CLINICS: '{"crm-north":"north","crm-south":"south","ops":"*"}', CLINIC_WEBHOOK_ENDPOINT_SECRETS: ownSecrets });
    expect(clinicEndpoints(config).map(({ name, clinic }) => [name, clinic])).toEqual([['crm-north', 'north'], ['crm-south', 'south'], ['ops', '*']]);
    const single = loadConfig({ ...base, CLINIC_API_TOKEN: 'a-clinic-token-of-16+', CLINIC_WEBHOOK_URLS: 'crm=https://crm.example/hooks' });
    expect(clinicEndpoints(single)).toEqual([{ name: 'crm', url: 'https://crm.example/hooks', clinic: 'default', secrets: [base.CLINIC_WEBHOOK_SECRET] }]);
  });

  test('refused with what is expected: missing with several clinics, an endpoint without a clinic, a name or clinic that does not exist', () => {
    expect(problemsWith(twoClinics)).toEqual([
      "CLINIC_WEBHOOK_ENDPOINT_CLINICS is missing: expected the clinic of each endpoint of CLINIC_WEBHOOK_URLS, since CLINIC_API_KEY_GRANTS names clinics other than default (north, south): a clinic's events go to its own endpoints only",
    ]);
    expect(problemsWith({ ...twoClinics, CLINIC_WEBHOOK_ENDPOINT_CLINICS: '{"crm-north":"north","crm-sout":"south","ops":"west"}' })).toEqual([
      'CLINIC_WEBHOOK_ENDPOINT_CLINICS is invalid: expected a clinic for every endpoint of CLINIC_WEBHOOK_URLS (none for crm-south)',
      'CLINIC_WEBHOOK_ENDPOINT_CLINICS is invalid: expected only endpoints of CLINIC_WEBHOOK_URLS (no endpoint named crm-sout)',
      'CLINIC_WEBHOOK_ENDPOINT_CLINICS is invalid: expected clinics a key acts for, or "*" (north, south; not west)',
    ]);
    expect(problemsWith({ ...twoClinics, CLINIC_WEBHOOK_ENDPOINT_CLINICS: '["north"]' })).toEqual([
      'CLINIC_WEBHOOK_ENDPOINT_CLINICS is invalid: expected a JSON object by endpoint name of the clinic id whose events it receives ("*": every clinic\'s)',
    ]);
  });
});
