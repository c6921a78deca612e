// Where Redis is: REDIS_URL, or Sentinel (REDIS_SENTINELS, REDIS_SENTINEL_NAME), and the two kinds
// of connection options built from it for every Redis connection of the service.
import { ConfigError, loadConfig, redisTarget } from '../../../webhook-service/config';
import { failFastOptions, parseSentinels, waitingOptions } from '../../../webhook-service/redis/connections';

const base = {
  MONGODB_URI: 'mongodb://127.0.0.1:27017/autostart',
  LIVEKIT_URL: 'ws://127.0.0.1:7880',
  LIVEKIT_API_KEY: 'key',
  LIVEKIT_API_SECRET: 'secret-value',
  CLINIC_API_TOKEN: 'a-clinic-token-of-some-length',
};

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
};

test('when REDIS_URL is given, then every connection goes to that server', () => {
  const target = redisTarget(loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:6379' }));
  expect(target).toEqual({ kind: 'server', url: 'redis://127.0.0.1:6379' });
  expect(failFastOptions(target)).toMatchObject({ url: 'redis://127.0.0.1:6379', enableOfflineQueue: false });
});

test('when Sentinels and the primary name are given, then every connection asks them for the primary', () => {
  const config = loadConfig({ ...base, REDIS_SENTINELS: '10.0.0.1:26379, sentinel-b:26380,[::1]:26381', REDIS_SENTINEL_NAME: 'autostart', REDIS_PASSWORD: 'pw' });
  const target = redisTarget(config);
  expect(target).toEqual({
    kind: 'sentinel',
    name: 'autostart',
    password: 'pw',
    sentinels: [
      { host: '10.0.0.1', port: 26379 },
      { host: 'sentinel-b', port: 26380 },
      { host: '::1', port: 26381 },
    ],
  });
  for (const options of [failFastOptions(target), waitingOptions(target)]) {
    // Every connection leaves the old primary at the first +switch-master (see connections.ts).
    expect(options).toMatchObject({ name: 'autostart', password: 'pw', failoverDetector: true });
    expect(options.url).toBeUndefined();
  }
});

test('when a command meets a demoted primary (READONLY), then the handlers\' connections reconnect and fail it, the worker\'s reconnect and resend it', () => {
  const target = { kind: 'server' as const, url: 'redis://127.0.0.1:6379' };
  const readonly = new Error("READONLY You can't write against a read only replica.");
  expect((failFastOptions(target).reconnectOnError as (error: Error) => unknown)(readonly)).toBe(1);
  expect((waitingOptions(target).reconnectOnError as (error: Error) => unknown)(readonly)).toBe(2);
  expect((waitingOptions(target).reconnectOnError as (error: Error) => unknown)(new Error('ERR other'))).toBe(false);
});

test('when neither REDIS_URL nor REDIS_SENTINELS is given, then REDIS_URL is named as missing', () => {
  expect(problemsOf(base)).toEqual(['REDIS_URL is missing: expected a redis:// or rediss:// URL']);
});

test('when both, a Sentinel list without a name, or a bad entry are given, then the message says what is expected', () => {
  expect(problemsOf({ ...base, REDIS_URL: 'redis://127.0.0.1:6379', REDIS_SENTINELS: '127.0.0.1:26379', REDIS_SENTINEL_NAME: 'm' })).toEqual([
    'REDIS_URL and REDIS_SENTINELS are both set: expected one of them',
  ]);
  expect(problemsOf({ ...base, REDIS_SENTINELS: '127.0.0.1:26379' })).toEqual(['REDIS_SENTINEL_NAME is missing: expected the name of the primary the Sentinels monitor']);
  expect(problemsOf({ ...base, REDIS_SENTINELS: '127.0.0.1', REDIS_SENTINEL_NAME: 'm' })).toEqual(['REDIS_SENTINELS is invalid: expected comma-separated host:port of the Sentinels']);
  expect(() => parseSentinels('host:70000')).toThrow(/not host:port/);
});
