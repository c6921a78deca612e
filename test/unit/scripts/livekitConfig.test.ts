// The generated livekit.yaml: a single node stays on its own, several nodes share the Redis given.
import { parse } from 'yaml';
import { livekitConfigYaml, livekitRedisFromUrl } from '../../../scripts/stack/livekitConfig';

const keys = { apiKey: 'APIkey', apiSecret: 'secret-secret-secret' };

test('when no Redis is given, then the node has no redis block (a single node on its own)', () => {
  const config = parse(livekitConfigYaml({ httpPort: 7880, udpPort: 7882, webhookPort: 8080 }, keys));
  expect(config.redis).toBeUndefined();
  expect(config.bind_addresses).toEqual(['127.0.0.1']);
});

test('when a Redis URL is given, then its address, credentials and database become the redis block', () => {
  const redis = livekitRedisFromUrl('redis://user:p%40ss@127.0.0.1:6380/3');
  expect(redis).toEqual({ address: '127.0.0.1:6380', username: 'user', password: 'p@ss', db: 3 });
  const config = parse(livekitConfigYaml({ httpPort: 7880, udpPort: 7882, webhookPort: 8080, redis }, keys));
  expect(config.redis).toEqual(redis);
  expect(livekitRedisFromUrl('redis://127.0.0.1')).toEqual({ address: '127.0.0.1:6379' });
});

test('when the URL is not redis://, then it is refused with a message saying what is expected', () => {
  expect(() => livekitRedisFromUrl('rediss://127.0.0.1:6380')).toThrow(/plain redis:\/\/ URL/);
});
