// How every MongoDB connection of the service writes and reads, so that a replica set's election
// loses nothing the service answered for. A write is acknowledged once a majority of the members
// hold it in their journals (`w: 'majority'`, `journal: true`): an acknowledged write (a
// webhook's 2xx, a decision, an outbox entry) is never rolled back by the election that follows.
// A write or read that meets the election (the primary steps down, the connection drops) is
// retried once by the driver on the new primary (retryable writes and reads); the service's own
// writes are unique inserts and idempotent updates, so a retry cannot apply twice.
//
// A standalone server has nothing to elect and ignores these: FerretDB v1.24 accepts them and
// stores as before (checked by test/integration/service/mongoConnection.test.ts). Whatever the
// URI says itself wins (`?w=1`, `?retryWrites=false`), for a deployment that knows better.
import mongoose, { type ConnectOptions, type Connection } from 'mongoose';

/** The URI's own options, by lower-cased name. */
function uriOptionNames(uri: string): Set<string> {
  const query = uri.includes('?') ? uri.slice(uri.indexOf('?') + 1) : '';
  return new Set([...new URLSearchParams(query).keys()].map((name) => name.toLowerCase()));
}

/** Majority-acknowledged, journaled writes and retryable writes and reads, except where the URI names its own. */
export function durabilityOptions(uri: string): ConnectOptions {
  const named = uriOptionNames(uri);
  const writeConcernNamed = ['w', 'journal', 'j', 'wtimeoutms'].some((name) => named.has(name));
  return {
    ...(writeConcernNamed ? {} : { writeConcern: { w: 'majority', journal: true } }),
    ...(named.has('retrywrites') ? {} : { retryWrites: true }),
    ...(named.has('retryreads') ? {} : { retryReads: true }),
  };
}

/** A connection of its own to `uri`, with the durability options and then `options`. Not yet open: await `asPromise()`. */
export function connectMongo(uri: string, options: ConnectOptions = {}): Connection {
  return mongoose.createConnection(uri, { ...durabilityOptions(uri), ...options });
}
