// The migration step: every collection and index the store needs, created idempotently, before
// a version first serves (`npm run migrate`; in the image `node dist/service/migrate.js`).
import { MongoOutboxStore } from '../outbox/MongoOutboxStore';
import { MongoAuditTrail } from './MongoAuditTrail';
import { MongoIdempotencyKeys } from './MongoIdempotencyKeys';
import { MongoSessionStore } from './MongoSessionStore';

/** Creates what is missing; returns the collections it made sure of. */
export async function migrateDatabase(uri: string): Promise<string[]> {
  return [...(await MongoSessionStore.migrate(uri)), ...(await MongoAuditTrail.migrate(uri)), ...(await MongoIdempotencyKeys.migrate(uri)), ...(await MongoOutboxStore.migrate(uri))];
}
