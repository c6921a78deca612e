// The audit read newest first, a page at a time, on the in-memory trail (the same paging runs
// against MongoDB in test/integration/service/auditTrail.test.ts).
import { newAuditId } from '../../../../webhook-service/ids';
import { readAudit } from '../../../../webhook-service/usecases/readAudit';
import { aSessionIn, T0, world, type World } from './world';

async function mints(deps: World, sessionId: string, count: number, at: (index: number) => number) {
  for (let index = 0; index < count; index += 1) {
    await deps.audit.record({ id: newAuditId(), keyName: 'k', action: 'token.mint', sessionId, identity: `who-${index}`, at: new Date(at(index)), outcome: { status: 200, code: null } });
  }
}

async function readAll(deps: World, sessionId: string, limit: number): Promise<{ pages: number; identities: (string | null)[] }> {
  const identities: (string | null)[] = [];
  let cursor: string | null = null;
  for (let pages = 1; ; pages += 1) {
    const page = await readAudit(deps, 'clinic-north', sessionId, { limit, cursor });
    identities.push(...page.entries.map((entry) => entry.identity));
    if (!page.nextCursor) return { pages, identities };
    cursor = page.nextCursor;
  }
}

test('entries come newest first, a page at a time, each once, and the last page says there is no more', async () => {
  const deps = world();
  const session = await aSessionIn(deps);
  await mints(deps, session.id, 7, (index) => T0 + index * 1000);
  const read = await readAll(deps, session.id, 3);
  expect(read).toEqual({ pages: 3, identities: ['who-6', 'who-5', 'who-4', 'who-3', 'who-2', 'who-1', 'who-0'] });
});

test('entries of the same millisecond keep the order they were written in', async () => {
  const deps = world();
  const session = await aSessionIn(deps);
  await mints(deps, session.id, 5, () => T0);
  expect((await readAll(deps, session.id, 2)).identities).toEqual(['who-4', 'who-3', 'who-2', 'who-1', 'who-0']);
});

test('a page that ends exactly at the last entry carries no cursor', async () => {
  const deps = world();
  const session = await aSessionIn(deps);
  await mints(deps, session.id, 4, (index) => T0 + index);
  expect(await readAll(deps, session.id, 4)).toMatchObject({ pages: 1 });
});

test("a cursor the API did not give is a 400 (invalid_request); an unknown session, or another clinic's, 404", async () => {
  const deps = world();
  const session = await aSessionIn(deps);
  await expect(readAudit(deps, 'clinic-north', session.id, { limit: 10, cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'invalid_request' });
  await expect(readAudit(deps, 'clinic-north', 'ses_unknown', { limit: 10, cursor: null })).rejects.toMatchObject({ code: 'session_not_found' });
  await expect(readAudit(deps, 'clinic-south', session.id, { limit: 10, cursor: null })).rejects.toMatchObject({ code: 'session_not_found' });
});
