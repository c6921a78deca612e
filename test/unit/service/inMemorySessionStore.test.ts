// The in-memory store the use-case unit tests run on passes the same conformance suite as the
// real adapters (test/integration/service/sessionStore.conformance.test.ts).
import { InMemorySessionStore } from '../../support/fakes/InMemorySessionStore';
import { describeSessionStore } from '../../support/sessionStoreConformance';

describeSessionStore('the in-memory store', async () => {
  const store = new InMemorySessionStore();
  return { store, folds: store.folds, dispose: async () => undefined };
});
