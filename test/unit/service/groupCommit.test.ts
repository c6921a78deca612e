// The group commit's policy (when pending writes go) and its batcher, with a plain function as
// the store: which writes share a call, that a lone write never waits, and that every caller is
// answered with its own outcome only once its batch's call is answered.
import fc from 'fast-check';
import { GroupCommit, nextCommit, type GroupCommitOptions, type WriteOutcome } from '../../../webhook-service/store/groupCommit';

const options: GroupCommitOptions = { windowMs: 5, maxWrites: 4 };

describe('nextCommit', () => {
  test('when the store is idle, then a write goes at once, alone: a lone webhook waits for no window', () => {
    expect(nextCommit({ pending: 1, inFlight: 0, oldestWaitedMs: 0 }, options)).toEqual({ commit: 'now' });
  });

  test('when a commit is in flight, then the writes wait for the rest of the window', () => {
    expect(nextCommit({ pending: 2, inFlight: 1, oldestWaitedMs: 1 }, options)).toEqual({ commit: 'later', afterMs: 4 });
  });

  test('when the window has passed or the batch is full, then they go even with a commit in flight', () => {
    expect(nextCommit({ pending: 2, inFlight: 1, oldestWaitedMs: 5 }, options)).toEqual({ commit: 'now' });
    expect(nextCommit({ pending: 4, inFlight: 1, oldestWaitedMs: 0 }, options)).toEqual({ commit: 'now' });
  });

  test('when the window is 0, then every write goes at once', () => {
    expect(nextCommit({ pending: 3, inFlight: 5, oldestWaitedMs: 0 }, { windowMs: 0, maxWrites: 4 })).toEqual({ commit: 'now' });
  });

  test('whatever the state, a pending write never waits past the window', () => {
    fc.assert(
      fc.property(fc.nat(300), fc.nat(10), fc.double({ min: 0, max: 50, noNaN: true }), fc.nat(20), fc.integer({ min: 1, max: 300 }), (pending, inFlight, waited, windowMs, maxWrites) => {
        const decision = nextCommit({ pending, inFlight, oldestWaitedMs: waited }, { windowMs, maxWrites });
        if (pending === 0) return decision.commit === 'nothing';
        if (decision.commit === 'later') return inFlight > 0 && pending < maxWrites && waited + decision.afterMs <= windowMs + 1e-9;
        return decision.commit === 'now';
      }),
    );
  });
});

/** A store call that the test answers by hand. */
function manualStore<W>() {
  const calls: { writes: W[]; answer: (outcomes: WriteOutcome<string>[]) => void; fail: (error: unknown) => void }[] = [];
  const commit = (writes: W[]) =>
    new Promise<WriteOutcome<string>[]>((resolve, reject) => {
      calls.push({ writes, answer: resolve, fail: reject });
    });
  return { calls, commit };
}

const settled = <T>(promise: Promise<T>) => promise.then((value) => ({ value }), (error: unknown) => ({ error }));
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  test('when writes come while a commit is in flight, then they go together once it is answered, and each gets its own result', async () => {
    const store = manualStore<string>();
    const batcher = new GroupCommit(store.commit, { windowMs: 10_000, maxWrites: 100 });
    const first = batcher.submit('a');
    await flush();
    const rest = ['b', 'c', 'd'].map((write) => batcher.submit(write));
    await flush();
    expect(store.calls.map((call) => call.writes)).toEqual([['a']]);
    store.calls[0]?.answer([{ ok: true, value: 'A' }]);
    await expect(first).resolves.toBe('A');
    await flush();
    expect(store.calls.map((call) => call.writes)).toEqual([['a'], ['b', 'c', 'd']]);
    store.calls[1]?.answer([{ ok: true, value: 'B' }, { ok: false, error: new Error('refused c') }, { ok: true, value: 'D' }]);
    expect(await Promise.all(rest.map(settled))).toEqual([{ value: 'B' }, { error: new Error('refused c') }, { value: 'D' }]);
  });

  test('when no answer comes, then no caller is answered; when the call fails, then every write of its batch fails', async () => {
    const store = manualStore<string>();
    const batcher = new GroupCommit(store.commit, { windowMs: 10_000, maxWrites: 100 });
    void batcher.submit('a').catch(() => undefined);
    await flush();
    let answered = 0;
    const batch = ['b', 'c'].map((write) => settled(batcher.submit(write)).finally(() => (answered += 1)));
    await flush();
    expect(answered).toBe(0);
    store.calls[0]?.fail(new Error('database away'));
    await flush();
    store.calls[1]?.fail(new Error('database away'));
    expect(await Promise.all(batch)).toEqual([{ error: new Error('database away') }, { error: new Error('database away') }]);
  });

  test('when the window passes with a commit still in flight, then the waiting writes go without it', async () => {
    const store = manualStore<string>();
    const batcher = new GroupCommit(store.commit, { windowMs: 20, maxWrites: 100 });
    void batcher.submit('a');
    await flush();
    const waiting = batcher.submit('b');
    const deadline = Date.now() + 2000;
    while (store.calls.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(store.calls.map((call) => call.writes)).toEqual([['a'], ['b']]);
    store.calls[1]?.answer([{ ok: true, value: 'B' }]);
    await expect(waiting).resolves.toBe('B');
  });

  test('when more writes wait than a batch holds, then they go in batches of at most maxWrites', async () => {
    const store = manualStore<number>();
    const batcher = new GroupCommit(store.commit, { windowMs: 10_000, maxWrites: 3 });
    void batcher.submit(0);
    await flush();
    const writes = [1, 2, 3, 4, 5, 6, 7].map((write) => batcher.submit(write));
    await flush();
    expect(store.calls.map((call) => call.writes)).toEqual([[0], [1, 2, 3], [4, 5, 6]]);
    for (const call of store.calls) call.answer(call.writes.map((write) => ({ ok: true, value: String(write) })));
    await flush();
    expect(store.calls.map((call) => call.writes).at(-1)).toEqual([7]);
    store.calls.at(-1)?.answer([{ ok: true, value: '7' }]);
    expect(await Promise.all(writes)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
  });

  test('when a call answers fewer outcomes than writes, then the writes left without one fail instead of hanging', async () => {
    const store = manualStore<string>();
    const batcher = new GroupCommit(store.commit, { windowMs: 0, maxWrites: 10 });
    const write = settled(batcher.submit('a'));
    await flush();
    store.calls[0]?.answer([]);
    expect(await write).toEqual({ error: new Error('the commit answered no outcome for write 0 of 1') });
  });

  test('when the options are out of range, then the batcher refuses them by name', () => {
    expect(() => new GroupCommit(async () => [], { windowMs: -1, maxWrites: 1 })).toThrow('windowMs');
    expect(() => new GroupCommit(async () => [], { windowMs: 1, maxWrites: 0 })).toThrow('maxWrites');
  });
});
