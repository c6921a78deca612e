// The one builder of the service's environment: a database of its own on any MongoDB URI the
// stack or a user gives (query options, replica sets, credentials kept).
import { databaseUri, serviceEnv } from '../../../scripts/shared/serviceEnv';
import { serviceExports } from '../../../scripts/stack';
import { loadConfig } from '../../../webhook-service/config';

test.each([
  ['mongodb://127.0.0.1:27017', 'mongodb://127.0.0.1:27017/db_a'],
  ['mongodb://127.0.0.1:27017/', 'mongodb://127.0.0.1:27017/db_a'],
  ['mongodb://127.0.0.1:27017/other', 'mongodb://127.0.0.1:27017/db_a'],
  ['mongodb://mongo:27017/counseling?replicaSet=rs0', 'mongodb://mongo:27017/db_a?replicaSet=rs0'],
  ['mongodb://127.0.0.1:27017/?replicaSet=rs0&w=majority', 'mongodb://127.0.0.1:27017/db_a?replicaSet=rs0&w=majority'],
  ['mongodb://user:p%40ss@h1:27017,h2:27017,h3:27017/admin?replicaSet=rs0', 'mongodb://user:p%40ss@h1:27017,h2:27017,h3:27017/db_a?replicaSet=rs0'],
  ['mongodb+srv://user:pw@cluster.example.net/?retryWrites=true', 'mongodb+srv://user:pw@cluster.example.net/db_a?retryWrites=true'],
])('the database of %s becomes db_a', (base, expected) => {
  expect(databaseUri(base, 'db_a')).toBe(expected);
});

test('a URI that is not MongoDB is refused, without echoing its credentials', () => {
  expect(() => databaseUri('redis://user:secret@h:6379', 'db')).toThrow(/^not a mongodb:\/\/ URI: redis:\/\/\*\*\*@h:6379$/);
});

test('the environment names every server of the stack, its own database and prefixes', () => {
  const stack = { mongoUri: 'mongodb://127.0.0.1:1/?replicaSet=rs0', redisUrl: 'redis://127.0.0.1:2', livekitUrl: 'ws://127.0.0.1:3', livekitApiKey: 'k', livekitApiSecret: 's', webhookPort: 4 };
  expect(serviceEnv(stack, { database: 'demo', clinicApiToken: 't', prefix: 'p', extra: { LOG_LEVEL: 'warn' } })).toEqual({
    MONGODB_URI: 'mongodb://127.0.0.1:1/demo?replicaSet=rs0',
    REDIS_URL: 'redis://127.0.0.1:2',
    LIVEKIT_URL: 'ws://127.0.0.1:3',
    LIVEKIT_API_KEY: 'k',
    LIVEKIT_API_SECRET: 's',
    CLINIC_API_TOKEN: 't',
    BULLMQ_PREFIX: 'p',
    SESSION_COPY_PREFIX: 'p-copy',
    LOG_LEVEL: 'warn',
  });
});

test('what `npm run stack` prints to export is a configuration the service accepts as it is, with a fresh clinic key each run', () => {
  const stack = { mongoUri: 'mongodb://127.0.0.1:1/', redisUrl: 'redis://127.0.0.1:2', livekitUrl: 'ws://127.0.0.1:3', livekitApiKey: 'APIkey', livekitApiSecret: 'a-livekit-secret-of-enough-length-0123456789', webhookPort: 4 };
  const exports = serviceExports(stack);
  const config = loadConfig(exports);
  expect(config.MONGODB_URI).toBe('mongodb://127.0.0.1:1/counseling');
  expect(config.PORT).toBe(4);
  expect(exports.CLINIC_API_TOKEN).toMatch(/^[\w-]{32}$/);
  expect(serviceExports(stack).CLINIC_API_TOKEN).not.toBe(exports.CLINIC_API_TOKEN);
});
