// Smoke tests of the local stack: each server is the real thing and answers through the
// environment the jest global setup exported (the same variables the service reads).
import { Queue, QueueEvents, Worker } from 'bullmq';
import { RoomServiceClient } from 'livekit-server-sdk';
import Redis from 'ioredis';
import mongoose from 'mongoose';
import { livekitHttpUrl } from '../../scripts/stack';
import { mongoUriFor, uniqueName } from '../support/isolation';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the integration global setup should have exported it`);
  return value;
}

function roomService(): RoomServiceClient {
  return new RoomServiceClient(livekitHttpUrl(env('LIVEKIT_URL')), env('LIVEKIT_API_KEY'), env('LIVEKIT_API_SECRET'));
}

describe('the local stack', () => {
  it('when the stack is up, then every server listens on loopback only', () => {
    for (const name of ['MONGODB_URI', 'REDIS_URL', 'LIVEKIT_URL']) {
      expect(new URL(env(name)).hostname).toMatch(/^127\./);
    }
  });

  it('when Redis is asked how it keeps data, then it runs as production should: AOF on, no eviction', async () => {
    const redis = new Redis(env('REDIS_URL'));
    try {
      expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
      expect(await redis.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
    } finally {
      redis.disconnect();
    }
  });

  it('when asked with the exported keys, then LiveKit lists rooms', async () => {
    await expect(roomService().listRooms()).resolves.toEqual(expect.any(Array));
  });

  it('when a room is created, then LiveKit lists it by name', async () => {
    const rooms = roomService();
    const name = uniqueName('smoke-room');
    const created = await rooms.createRoom({ name, emptyTimeout: 60 });
    expect(created.name).toBe(name);
    const listed = await rooms.listRooms([name]);
    expect(listed.map((room) => room.name)).toEqual([name]);
    await rooms.deleteRoom(name);
  });

  it('when a document is saved through mongoose, then it reads back from its own database', async () => {
    const dbName = uniqueName('smoke');
    const connection = await mongoose.createConnection(mongoUriFor(dbName)).asPromise();
    try {
      const Note = connection.model('Note', new mongoose.Schema({ text: { type: String, required: true } }));
      const saved = await Note.create({ text: 'hello' });
      const found = await Note.findById(saved._id).lean();
      expect(found?.text).toBe('hello');
      expect(connection.db?.databaseName).toBe(dbName);
    } finally {
      await connection.dropDatabase();
      await connection.close();
    }
  });

  it('when a job is added to a BullMQ queue, then a worker processes it and the result comes back', async () => {
    const connection = { url: env('REDIS_URL') };
    const queueName = uniqueName('smoke-queue');
    const prefix = uniqueName('smoke');
    const queue = new Queue(queueName, { connection, prefix });
    const events = new QueueEvents(queueName, { connection, prefix });
    const worker = new Worker(queueName, async (job) => ({ doubled: (job.data as { n: number }).n * 2 }), {
      connection: { ...connection, maxRetriesPerRequest: null },
      prefix,
    });
    try {
      await events.waitUntilReady();
      const job = await queue.add('double', { n: 21 });
      await expect(job.waitUntilFinished(events, 10_000)).resolves.toEqual({ doubled: 42 });
    } finally {
      await worker.close();
      await events.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
