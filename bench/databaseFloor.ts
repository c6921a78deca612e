// Floor (b) of the ingest benchmark: the storage work one webhook needs, done by the bare
// drivers at the same concurrency as the load, with no HTTP, no signature and no rules: find the
// room's slot (by _id), insert the event, copy it into the session's Redis hash and read the
// hash back (the session and its log).
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import mongoose from 'mongoose';

export interface DatabaseFloorResult {
  webhooksPerSecond: number;
  durationMs: number;
  /** Writes the database refused (FerretDB's SQLite answers SQLITE_BUSY under contention); not counted in the rate. */
  refused: number;
}

export async function measureDatabaseFloor(mongoUri: string, redisUrl: string, webhooks: number, concurrency = 64): Promise<DatabaseFloorResult> {
  const client = new mongoose.mongo.MongoClient(mongoUri);
  await client.connect();
  const redis = new Redis(redisUrl);
  const tag = randomBytes(4).toString('hex');
  const db = client.db(`bench_floor_${tag}`);
  const slots = db.collection<{ _id: string; sessionId: string }>('room_slots');
  const events = db.collection<{ _id: string; sessionId: string; at: Date }>('session_events');
  const rooms = Array.from({ length: Math.max(1, Math.floor(webhooks / 8)) }, (_, i) => `floor-room-${i}`);
  await slots.insertMany(rooms.map((room, i) => ({ _id: room, sessionId: `ses_floor_${i}` })));

  let next = 0;
  let refused = 0;
  const started = performance.now();
  const lane = async (): Promise<void> => {
    for (let i = next++; i < webhooks; i = next++) {
      const slot = await slots.findOne({ _id: rooms[i % rooms.length] as string });
      if (!slot) throw new Error('floor setup lost a room slot');
      const event = { _id: `EV_${randomBytes(9).toString('base64url')}`, sessionId: slot.sessionId, at: new Date() };
      try {
        await events.insertOne(event);
      } catch {
        refused += 1;
        continue;
      }
      const key = `bench-floor-${tag}:session:{${slot.sessionId}}`;
      await redis.multi().hsetnx(key, event._id, JSON.stringify(event)).expire(key, 600).exec();
      await redis.hgetall(key);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const durationMs = performance.now() - started;
  await db.dropDatabase();
  await client.close();
  redis.disconnect();
  return { webhooksPerSecond: (webhooks - refused) / (durationMs / 1000), durationMs, refused };
}
