// The Redis lock (webhook-service/redis/lock.ts) on the real Redis of the stack: one holder at a
// time, released only by its holder, and a lease that frees the lock of a holder that vanished.
import { failFastRedis } from '../../../webhook-service/redis/connections';
import { releaseLock, takeLock } from '../../../webhook-service/redis/lock';
import { uniqueName } from '../../support/isolation';

const redis = failFastRedis({ kind: 'server', url: process.env.REDIS_URL as string });
beforeAll(() => redis.connect());
afterAll(() => redis.disconnect());

test('when a lock is held, then nobody else takes it until its holder releases it', async () => {
  const key = uniqueName('lock-it');
  const first = await takeLock(redis, key, 10_000);
  expect(first).toEqual({ key, token: expect.any(String) });
  expect(await takeLock(redis, key, 10_000)).toBeNull();
  await releaseLock(redis, first!);
  expect(await takeLock(redis, key, 10_000)).not.toBeNull();
});

test('when a holder whose lease ran out releases, then the lock its successor took stays held', async () => {
  const key = uniqueName('lock-it');
  const late = await takeLock(redis, key, 50);
  let successor = null;
  for (const deadline = Date.now() + 5000; !successor && Date.now() < deadline; ) successor = await takeLock(redis, key, 10_000);
  expect(late).not.toBeNull();
  expect(successor).not.toBeNull();
  await releaseLock(redis, late!);
  expect(await redis.get(key)).toBe(successor!.token);
  expect(await takeLock(redis, key, 10_000)).toBeNull();
});

test('when Redis cannot be reached, then taking fails with its error and releasing does not throw', async () => {
  const away = failFastRedis({ kind: 'server', url: 'redis://127.0.0.1:1' });
  await expect(takeLock(away, uniqueName('lock-it'), 1000)).rejects.toThrow();
  await expect(releaseLock(away, { key: 'k', token: 't' })).resolves.toBeUndefined();
  away.disconnect();
});
