// The session copy's reads asked in the same turn of the event loop share one pipeline, on the
// real Redis: each read gets its own replies, a command's error fails only its read, and a read
// asked after a batch was sent goes at once in a pipeline of its own.
import Redis from 'ioredis';
import { failFastRedis } from '../../../webhook-service/redis/connections';
import { SameTickReads } from '../../../webhook-service/store/sameTickReads';
import { uniqueName } from '../../support/isolation';

let redis: Redis;
let admin: Redis;
let pipelines: number;
let reads: SameTickReads;
const key = uniqueName('tick-reads');

beforeEach(async () => {
  redis = failFastRedis({ kind: 'server', url: process.env.REDIS_URL as string });
  await redis.connect();
  const pipeline = redis.pipeline.bind(redis);
  pipelines = 0;
  redis.pipeline = ((...args: Parameters<Redis['pipeline']>) => {
    pipelines += 1;
    return pipeline(...args);
  }) as Redis['pipeline'];
  reads = new SameTickReads(redis);
  admin = new Redis(process.env.REDIS_URL as string);
  await admin.hset(`${key}:hash`, { a: '1', b: '2' });
  await admin.set(`${key}:string`, 'text');
});

afterEach(async () => {
  await admin.del(`${key}:hash`, `${key}:string`);
  admin.disconnect();
  redis.disconnect();
});

test('when reads are asked in the same turn, then they go as one pipeline and each gets its own replies', async () => {
  const answers = await Promise.all([
    reads.read((pipeline) => pipeline.hmget(`${key}:hash`, 'a', 'b').hlen(`${key}:hash`)),
    reads.read((pipeline) => pipeline.hget(`${key}:hash`, 'b')),
    reads.read((pipeline) => pipeline.get(`${key}:string`)),
  ]);
  expect(answers).toEqual([[['1', '2'], 2], ['2'], ['text']]);
  expect(pipelines).toBe(1);
});

test('when one command of a batch fails, then only its read fails', async () => {
  const [wrongType, fine] = await Promise.allSettled([reads.read((pipeline) => pipeline.hget(`${key}:string`, 'a')), reads.read((pipeline) => pipeline.hget(`${key}:hash`, 'a'))]);
  expect(wrongType).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/WRONGTYPE/) }) });
  expect(fine).toEqual({ status: 'fulfilled', value: ['1'] });
  expect(pipelines).toBe(1);
});

test('when a read is asked after a batch was sent, then it goes at once without waiting for that batch', async () => {
  const first = reads.read((pipeline) => pipeline.hget(`${key}:hash`, 'a'));
  await new Promise((resolve) => process.nextTick(resolve));
  expect(pipelines).toBe(1);
  const second = reads.read((pipeline) => pipeline.hget(`${key}:hash`, 'b'));
  await new Promise((resolve) => process.nextTick(resolve));
  // Sent before the first batch's answer came back.
  expect(pipelines).toBe(2);
  expect(await Promise.all([first, second])).toEqual([['1'], ['2']]);
});

test('when Redis cannot be reached, then every read of the batch fails', async () => {
  redis.disconnect();
  const outcomes = await Promise.allSettled([reads.read((pipeline) => pipeline.hget(`${key}:hash`, 'a')), reads.read((pipeline) => pipeline.get(`${key}:string`))]);
  expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
});
