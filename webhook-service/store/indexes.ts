// The collections and indexes the store's correctness rests on (unique room holds, unique
// decisions, ...). `npm run migrate` creates them, once per version, before it serves; the
// service only checks at start that they are there, and refuses to start when one is missing
// (a unique index left out would let two decisions both win).
import type { Model } from 'mongoose';

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
