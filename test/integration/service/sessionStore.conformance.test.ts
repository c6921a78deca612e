// The same conformance suite as the in-memory fake's, against the real adapters on the real
// servers: the MongoDB adapter alone with its folds in MongoDB, and the store the service runs on
// (MongoDB with its Redis copy, which keeps the folds). On FerretDB here; on a real MongoDB when
// MONGODB_URI points at one.
import { CopiedSessionStore } from '../../../webhook-service/store/CopiedSessionStore';
import { MongoSessionStore } from '../../../webhook-service/store/MongoSessionStore';
import { RedisSessionCopy } from '../../../webhook-service/store/RedisSessionCopy';
import { mongoUriFor, uniqueName } from '../../support/isolation';
import { describeSessionStore } from '../../support/sessionStoreConformance';

/** A database of its own, migrated as a deployment's is. */
async function freshDatabase(): Promise<string> {
  const uri = mongoUriFor(uniqueName('autostart_conf').replaceAll('-', '_'));
  await MongoSessionStore.migrate(uri);
  return uri;
}

describeSessionStore('the MongoDB store', async () => {
  const store = await MongoSessionStore.connect(await freshDatabase());
  return { store, folds: store.folds, dispose: () => store.close() };
});

describeSessionStore('the MongoDB store with its Redis copy', async () => {
  const copy = new RedisSessionCopy({ redis: { kind: 'server', url: process.env.REDIS_URL as string }, prefix: uniqueName('conf-copy'), ttlSeconds: 600 });
  await copy.connect();
  const database = await MongoSessionStore.connect(await freshDatabase());
  const store = new CopiedSessionStore(database, copy);
  return {
    store,
    folds: store.folds,
    dispose: async () => {
      await copy.close();
      await database.close();
    },
  };
});
