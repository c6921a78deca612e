// The collections and indexes the store's correctness rests on (unique room holds, unique
// decisions, ...). `npm run migrate` creates them, once per version, before it serves; the
// service only checks at start that they are there, and refuses to start when one is missing
// (a unique index left out would let two decisions both win).
import type { Connection, Model } from 'mongoose';
import { connectMongo } from './mongoConnection';

// Mongoose's Model with any document type: the helpers below touch only collection-level calls.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyModel = Model<any>;

/** Creates each model's collection and indexes; idempotent (an existing one is left as it is). */
export async function createCollectionsAndIndexes(models: readonly AnyModel[]): Promise<string[]> {
  const created: string[] = [];
  for (const model of models) {
    await model.createCollection().catch((error: unknown) => {
      // 48 = NamespaceExists: another instance created it first.
      if ((error as { code?: unknown }).code !== 48) throw error;
    });
    await model.createIndexes();
    created.push(model.collection.collectionName);
  }
  return created;
}

/** Throws, naming them, when indexes the models declare are missing from the database. */
export async function assertIndexesExist(models: readonly AnyModel[]): Promise<void> {
  const missing: string[] = [];
  for (const model of models) {
    const { toCreate } = await model.diffIndexes().catch((error: unknown) => {
      // 26 = NamespaceNotFound: no collection yet, so none of its indexes.
      if ((error as { code?: unknown }).code === 26) return { toCreate: model.schema.indexes().map(([fields]) => fields) };
      throw error;
    });
    for (const index of toCreate) missing.push(`${model.collection.collectionName} ${JSON.stringify(index)}`);
  }
  if (missing.length > 0) throw new Error(`the database lacks indexes (${missing.join('; ')}): run \`npm run migrate\` (in the image: node dist/service/migrate.js) with this MONGODB_URI`);
}

/** A unique index refused the insert (E11000): matched on the code alone, as FerretDB's message differs from MongoDB's. */
export const isDuplicateKey = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;

const CONNECT_OPTIONS = { serverSelectionTimeoutMS: 3000, autoIndex: false } as const;

/**
 * Opens a connection of its own, defines the models on it and checks their indexes exist, then
 * runs `ready` (a start-up repair) if given; closes the connection again if any step fails (the
 * error is the caller's: a storeUnavailable).
 */
export async function openWithIndexes<T>(uri: string, define: (connection: Connection) => { models: readonly AnyModel[]; value: T }, ready?: (value: T) => Promise<void>): Promise<{ connection: Connection; value: T }> {
  // Without bufferCommands: false, calls made while disconnected queue silently for 10 s instead of failing.
  const connection = connectMongo(uri, { ...CONNECT_OPTIONS, bufferCommands: false });
  try {
    await connection.asPromise();
    const { models, value } = define(connection);
    await assertIndexesExist(models);
    await ready?.(value);
    return { connection, value };
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The migration step for one adapter's models: collections and indexes created, idempotently,
 * then `migrateData` (rewriting documents stored by an earlier version) if given.
 */
export async function migrateModels(uri: string, define: (connection: Connection) => readonly AnyModel[], migrateData?: (connection: Connection) => Promise<unknown>): Promise<string[]> {
  const connection = await connectMongo(uri, CONNECT_OPTIONS).asPromise();
  try {
    const created = await createCollectionsAndIndexes(define(connection));
    await migrateData?.(connection);
    return created;
  } finally {
    await connection.close();
  }
}
