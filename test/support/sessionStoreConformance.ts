// One conformance suite for every SessionStore and the SessionFolds kept beside it: the in-memory
// fake (unit), the MongoDB adapter and the composed store with its Redis copy (integration, on
// FerretDB here, on a real MongoDB when MONGODB_URI points at one). Each test makes its own store
// and its own session ids.
import { randomBytes } from 'node:crypto';
import { decide, newSession, type KeptFold } from '../../plugin';
import type { SessionFolds } from '../../webhook-service/usecases/ports/SessionFolds';
import type { ActivationRecord, ClosureRecord, ExternalIdClaim, SessionRecord, SessionStore, StoredEvent } from '../../webhook-service/usecases/ports/SessionStore';

export interface StoreUnderTest {
  store: SessionStore;
  /** The folds kept beside the store (its own, as the service wires them). */
  folds: SessionFolds;
  dispose(): Promise<void>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(6).toString('hex')}`;

export const aSession = (overrides: Partial<SessionRecord> = {}): SessionRecord => ({
  id: id('ses'),
  roomName: id('room'),
  clinicId: 'clinic-north',
  externalId: null,
  studentIdentity: 'student-ana',
  counselorIdentity: 'counselor-bo',
  scheduledStart: new Date('2030-01-02T03:04:05.000Z'),
  createdAt: new Date('2030-01-02T03:00:00.000Z'),
  ...overrides,
});

/** A fold of the session: `events` joins folded by the rules (a state with presences in it). */
const aFold = (session: SessionRecord, events: number): KeptFold => {
  let state = newSession(session.id, { studentIdentity: session.studentIdentity, counselorIdentity: session.counselorIdentity });
  for (let n = 0; n < events; n += 1) {
    state = decide(state, { kind: 'participant_joined', id: `EV_${n}`, at: 1_000 + n, room: session.roomName, participant: { sid: `PA_${n}`, identity: n % 2 ? session.counselorIdentity : session.studentIdentity, attributes: {} } }).state;
  }
  return { state, events };
};

export const anEvent = (session: SessionRecord, overrides: Partial<StoredEvent> = {}): StoredEvent => ({
  id: id('EV'),
  sessionId: session.id,
  kind: 'participant_joined',
  at: new Date('2030-01-02T03:05:00.123Z'),
  participant: { sid: id('PA'), identity: session.studentIdentity, role: 'student', attributes: { 'autostart.role': 'student' } },
  receivedAt: new Date('2030-01-02T03:05:00.200Z'),
  ...overrides,
});

export const anActivation = (session: SessionRecord, messageId = id('msg')): ActivationRecord => ({
  kind: 'activation',
  sessionId: session.id,
  startedAt: new Date('2030-01-02T03:06:00.000Z'),
  messageId,
  createdAt: new Date('2030-01-02T03:06:00.050Z'),
});

export const aClosure = (session: SessionRecord, overrides: Partial<ClosureRecord> = {}): ClosureRecord => ({
  kind: 'closure',
  sessionId: session.id,
  status: 'ended',
  reason: 'ended',
  at: new Date('2030-01-02T03:50:00.000Z'),
  endedAt: new Date('2030-01-02T03:50:00.000Z'),
  messageId: id('msg'),
  createdAt: new Date('2030-01-02T03:50:00.010Z'),
  ...overrides,
});


/** Every open session's id (the suites' stores are small). */
async function openIds(store: SessionStore): Promise<string[]> {
  const ids: string[] = [];
  for (let after: string | null = null; ; ) {
    const page = await store.listOpenSessions(after, 500);
    ids.push(...page.map((open) => open.sessionId));
    if (page.length < 500) return ids;
    after = page.at(-1)?.sessionId ?? null;
  }
}

export function describeSessionStore(name: string, make: () => Promise<StoreUnderTest>): void {
  describe(`${name} keeps the SessionStore contract`, () => {
    let subject: StoreUnderTest;
    let store: SessionStore;
    let folds: SessionFolds;
    beforeEach(async () => {
      subject = await make();
      store = subject.store;
      folds = subject.folds;
    });
    afterEach(async () => {
      await subject.dispose();
    });

    test('a created session reads back whole, with no events and no decisions, and is listed as open', async () => {
      const session = aSession();
      expect(await store.createSession(session)).toEqual({ created: true, session });
      expect(await store.findSession(session.id)).toEqual(session);
      expect(await store.loadRecords(session.id)).toEqual({ session, events: [], activation: null, closure: null });
      expect(await openIds(store)).toContain(session.id);
    });

    test("a changed appointment reads back whole (pair, people with labels, its moment), and an empty list removes the others", async () => {
      const session = aSession({ participants: [{ identity: 'counselor-cy', role: 'counselor' }] });
      await store.createSession(session);
      const changedAt = new Date('2030-01-02T03:07:00.000Z');
      const people = [
        { identity: 'counselor-cy', role: 'counselor' as const },
        { identity: 'guardian-gil', role: 'guardian' as const, required: true, label: 'father' },
      ];
      const changed = await store.changeAppointment(session.id, { studentIdentity: session.studentIdentity, counselorIdentity: 'counselor-cy', participants: people, appointmentChangedAt: changedAt });
      const expected = { ...session, counselorIdentity: 'counselor-cy', participants: people, appointmentChangedAt: changedAt };
      expect(changed).toEqual(expected);
      expect(await store.findSession(session.id)).toEqual(expected);
      expect((await store.loadRecords(session.id))?.session).toEqual(expected);
      const later = new Date('2030-01-02T03:08:00.000Z');
      const { participants: _people, ...pairOnly } = expected;
      expect(await store.changeAppointment(session.id, { studentIdentity: session.studentIdentity, counselorIdentity: 'counselor-cy', participants: [], appointmentChangedAt: later })).toEqual({ ...pairOnly, appointmentChangedAt: later });
      expect(await store.changeAppointment(id('ses'), { studentIdentity: 'a', counselorIdentity: 'b', participants: [], appointmentChangedAt: later })).toBeNull();
    });

    test('an unknown session reads as null', async () => {
      expect(await store.findSession(id('ses'))).toBeNull();
      expect(await store.loadRecords(id('ses'))).toBeNull();
      expect(await store.findExternalId('clinic-north', id('apt'))).toBeNull();
    });

    test('creating a session again under its id returns the stored one and changes nothing', async () => {
      const session = aSession();
      await store.createSession(session);
      await store.recordEvent(anEvent(session));
      expect(await store.createSession({ ...session, studentIdentity: 'someone-else' })).toEqual({ created: false, session });
      expect((await store.loadRecords(session.id))?.events).toHaveLength(1);
    });

    test('concurrent creates under one id: exactly one creates, all read the same session', async () => {
      const session = aSession();
      const results = await Promise.all(Array.from({ length: 8 }, () => store.createSession(session)));
      expect(results.filter((result) => result.created)).toHaveLength(1);
      for (const result of results) expect(result.session).toEqual(session);
    });

    test("a clinic's appointment id is bound once: concurrent claims all read the first", async () => {
      const externalId = id('apt');
      const claims: ExternalIdClaim[] = Array.from({ length: 8 }, () => ({ clinicId: 'clinic-north', externalId, sessionId: id('ses'), fingerprint: 'f', createdAt: new Date('2030-01-02T03:00:00.000Z') }));
      const results = await Promise.all(claims.map((claim) => store.claimExternalId(claim)));
      expect(results.filter((result) => result.claimed)).toHaveLength(1);
      const winner = results.find((result) => result.claimed)?.claim;
      for (const result of results) expect(result.claim).toEqual(winner);
      expect(await store.findExternalId('clinic-north', externalId)).toEqual(winner);
    });

    test("appointment ids are each clinic's own: the same id claimed by two clinics binds two sessions", async () => {
      const externalId = id('apt');
      const claim = (clinicId: string): ExternalIdClaim => ({ clinicId, externalId, sessionId: id('ses'), fingerprint: 'f', createdAt: new Date('2030-01-02T03:00:00.000Z') });
      const [north, south] = [claim('clinic-north'), claim('clinic-south')];
      expect(await store.claimExternalId(north)).toEqual({ claimed: true, claim: north });
      expect(await store.claimExternalId(south)).toEqual({ claimed: true, claim: south });
      expect(await store.findExternalId('clinic-north', externalId)).toEqual(north);
      expect(await store.findExternalId('clinic-south', externalId)).toEqual(south);
      expect(await store.findExternalId('clinic-west', externalId)).toBeNull();
    });

    test("a clinic's listing holds its own sessions only", async () => {
      const [north, south] = [id('clinic'), id('clinic')];
      const mine = aSession({ clinicId: north });
      await store.createSession(mine);
      await store.createSession(aSession({ clinicId: south }));
      expect(await store.listSessions({ clinicId: north, from: null, to: null, after: null, limit: 10 })).toEqual([mine]);
      expect(await store.listSessions({ clinicId: id('clinic'), from: null, to: null, after: null, limit: 10 })).toEqual([]);
    });

    test('a finished session leaves the open list (repeatable), and the others stay', async () => {
      const done = aSession();
      const open = aSession();
      await store.createSession(done);
      await store.createSession(open);
      await store.finishSession(done.id);
      await store.finishSession(done.id);
      const listed = await openIds(store);
      expect(listed).not.toContain(done.id);
      expect(listed).toContain(open.id);
      expect(await store.findSession(done.id)).toEqual(done);
    });

    test('the open list pages by session id', async () => {
      const made = Array.from({ length: 5 }, () => aSession());
      for (const session of made) await store.createSession(session);
      const sorted = [...made].sort((a, b) => (a.id < b.id ? -1 : 1));
      const entry = (session: SessionRecord) => ({ sessionId: session.id, roomName: session.roomName, createdAt: session.createdAt });
      expect(await store.listOpenSessions((sorted[0] as SessionRecord).id, 2)).toEqual(sorted.slice(1, 3).map(entry));
      expect(await store.listOpenSessions(null, 10)).toEqual(sorted.map(entry));
    });

    test('an event is stored once: a redelivery returns the first copy', async () => {
      const session = aSession();
      await store.createSession(session);
      const event = anEvent(session);
      expect(await store.recordEvent(event)).toEqual({ inserted: true, stored: event });
      const again = await store.recordEvent({ ...event, receivedAt: new Date('2030-01-02T03:05:09.000Z') });
      expect(again).toEqual({ inserted: false, stored: event });
      expect((await store.loadRecords(session.id))?.events).toEqual([event]);
    });

    test('events of many sessions stored at once, each also sent twice at once, are each stored once and every duplicate reads the first', async () => {
      const sessions = Array.from({ length: 12 }, () => aSession());
      for (const session of sessions) await store.createSession(session);
      const events = sessions.map((session) => anEvent(session));
      const results = await Promise.all([...events, ...events].map((event) => store.recordEvent(event)));
      expect(results.filter((result) => result.inserted).map((result) => result.stored.id).sort()).toEqual(events.map((event) => event.id).sort());
      expect(results.filter((result) => !result.inserted).map((result) => result.stored).sort((a, b) => a.id.localeCompare(b.id))).toEqual([...events].sort((a, b) => a.id.localeCompare(b.id)));
      for (const [index, session] of sessions.entries()) expect((await store.loadRecords(session.id))?.events).toEqual([events[index]]);
    });

    test("an event id stored for another session stays that session's", async () => {
      const earlier = aSession();
      await store.createSession(earlier);
      const event = anEvent(earlier);
      await store.recordEvent(event);
      const later = aSession();
      await store.createSession(later);
      expect(await store.recordEvent({ ...event, sessionId: later.id })).toEqual({ inserted: false, stored: event });
      expect((await store.loadRecords(later.id))?.events).toEqual([]);
    });

    test('a reconciled event keeps the evidence it was inferred from', async () => {
      const session = aSession();
      await store.createSession(session);
      const event = anEvent(session, { kind: 'participant_gone', reconciled: true, evidence: { source: 'list_participants', requestedAt: 1, takenAt: 2, listed: 0 } });
      await store.recordEvent(event);
      expect((await store.loadRecords(session.id))?.events).toEqual([event]);
    });

    test('every event of a session comes back, room events and guests included, and no other session\'s', async () => {
      const session = aSession();
      const other = aSession();
      await store.createSession(session);
      await store.createSession(other);
      const events = [
        anEvent(session, { kind: 'room_started', participant: null }),
        anEvent(session),
        anEvent(session, { kind: 'participant_left', participant: { sid: 'PA_g', identity: 'observer', role: 'guest', attributes: {} } }),
        anEvent(session, { kind: 'room_finished', participant: null }),
      ];
      for (const event of events) await store.recordEvent(event);
      await store.recordEvent(anEvent(other));
      const loaded = (await store.loadRecords(session.id))?.events ?? [];
      expect([...loaded].sort((a, b) => a.id.localeCompare(b.id))).toEqual([...events].sort((a, b) => a.id.localeCompare(b.id)));
    });

    test('a session leaves waiting once: the first of activation, cancellation and no-show wins', async () => {
      const session = aSession();
      await store.createSession(session);
      const activation = anActivation(session);
      expect(await store.recordDecision(activation)).toEqual({ created: true, winner: activation });
      expect(await store.recordDecision(anActivation(session))).toEqual({ created: false, winner: activation });
      expect(await store.recordDecision(aClosure(session, { status: 'cancelled', reason: 'cancelled', endedAt: null }))).toEqual({ created: false, winner: activation });
      expect(await store.recordDecision(aClosure(session, { status: 'no_show', reason: 'no_show', endedAt: null }))).toEqual({ created: false, winner: activation });
      expect(await store.loadRecords(session.id)).toMatchObject({ activation, closure: null });
    });

    test('a session leaves active once: the first of the clinic end and the timeout wins', async () => {
      const session = aSession();
      await store.createSession(session);
      const activation = anActivation(session);
      await store.recordDecision(activation);
      const timeout = aClosure(session, { reason: 'timeout' });
      expect(await store.recordDecision(timeout)).toEqual({ created: true, winner: timeout });
      expect(await store.recordDecision(aClosure(session))).toEqual({ created: false, winner: timeout });
      expect(await store.loadRecords(session.id)).toMatchObject({ activation, closure: timeout });
    });

    test('a cancellation first keeps the activation out', async () => {
      const session = aSession();
      await store.createSession(session);
      const cancelled = aClosure(session, { status: 'cancelled', reason: 'cancelled', endedAt: null });
      expect((await store.recordDecision(cancelled)).created).toBe(true);
      expect(await store.recordDecision(anActivation(session))).toEqual({ created: false, winner: cancelled });
      expect(await store.loadRecords(session.id)).toMatchObject({ activation: null, closure: cancelled });
    });

    test('the listing pages through sessions in creation order, within the range, and a cursor never repeats or skips one', async () => {
      const base = Date.parse('2031-05-01T00:00:00.000Z') + Math.floor(Math.random() * 1e9);
      const made: SessionRecord[] = [];
      const clinicId = id('clinic');
      for (let index = 0; index < 7; index += 1) {
        // Two share a creation instant: the id orders them.
        const session = aSession({ clinicId, createdAt: new Date(base + Math.floor(index / 2) * 1000) });
        await store.createSession(session);
        made.push(session);
      }
      const expected = [...made].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1));
      const from = new Date(base);
      const to = new Date(base + 4000);
      const seen: SessionRecord[] = [];
      let after: { createdAt: Date; id: string } | null = null;
      for (let page = 0; page < 10; page += 1) {
        const sessions = await store.listSessions({ clinicId, from, to, after, limit: 3 });
        seen.push(...sessions);
        if (sessions.length < 3) break;
        const last = sessions.at(-1) as SessionRecord;
        after = { createdAt: last.createdAt, id: last.id };
      }
      expect(seen).toEqual(expected);
      expect(await store.listSessions({ clinicId, from: new Date(base + 1000), to: new Date(base + 2000), after: null, limit: 10 })).toEqual(expected.slice(2, 4));
    });

    test('retention finds sessions closed before a moment, and deleting one removes all it recorded', async () => {
      const old = aSession();
      const recent = aSession();
      const open = aSession();
      for (const session of [old, recent, open]) await store.createSession(session);
      await store.recordEvent(anEvent(old));
      await store.recordDecision(aClosure(old, { status: 'cancelled', reason: 'cancelled', endedAt: null, at: new Date('2030-01-01T00:00:00.000Z') }));
      await store.recordDecision(aClosure(recent, { status: 'cancelled', reason: 'cancelled', endedAt: null, at: new Date('2030-03-01T00:00:00.000Z') }));
      const found = await store.listClosedBefore(new Date('2030-02-01T00:00:00.000Z'), 100);
      expect(found).toContain(old.id);
      expect(found).not.toContain(recent.id);
      expect(found).not.toContain(open.id);
      await store.deleteSession(old.id);
      expect(await store.findSession(old.id)).toBeNull();
      expect(await openIds(store)).not.toContain(old.id);
      expect(await store.loadRecords(old.id)).toBeNull();
      expect(await store.listClosedBefore(new Date('2030-02-01T00:00:00.000Z'), 100)).not.toContain(old.id);
      expect(await store.findSession(recent.id)).toEqual(recent);
    });

    test("a session's head counts its events without their contents, and has no fold of its own", async () => {
      const session = aSession();
      await store.createSession(session);
      expect(await store.loadHead(session.id)).toEqual({ session, activation: null, closure: null, eventCount: 0 });
      const activation = anActivation(session);
      await store.recordEvent(anEvent(session));
      await store.recordEvent(anEvent(session, { participant: null, kind: 'room_started' }));
      await store.recordDecision(activation);
      expect(await store.loadHead(session.id)).toEqual({ session, activation, closure: null, eventCount: 2 });
      expect(await store.loadHead(aSession().id)).toBeNull();
    });

    test('a kept fold reads back as kept, the last one wins, and none is kept for a session not folded yet', async () => {
      const session = aSession();
      const other = aSession();
      await store.createSession(session);
      await store.createSession(other);
      expect(await folds.read(session.id)).toBeNull();
      await folds.keep(session.id, aFold(session, 1));
      await folds.keep(session.id, aFold(session, 2));
      expect(await folds.read(session.id)).toEqual(aFold(session, 2));
      expect(await folds.read(other.id)).toBeNull();
    });

    test("deleting a session forgets its kept fold", async () => {
      const session = aSession();
      await store.createSession(session);
      await store.recordDecision(aClosure(session, { status: 'cancelled', reason: 'cancelled', endedAt: null }));
      await folds.keep(session.id, aFold(session, 0));
      await store.deleteSession(session.id);
      expect(await folds.read(session.id)).toBeNull();
    });

    test('concurrent decisions for one session: exactly one is created and all read the same winner', async () => {
      const session = aSession();
      await store.createSession(session);
      const attempts = Array.from({ length: 6 }, (_, index) =>
        index % 2 === 0 ? anActivation(session) : aClosure(session, { status: 'cancelled', reason: 'cancelled', endedAt: null }),
      );
      const results = await Promise.all(attempts.map((decision) => store.recordDecision(decision)));
      expect(results.filter((result) => result.created)).toHaveLength(1);
      expect(new Set(results.map((result) => result.winner.messageId)).size).toBe(1);
    });
  });
}
