// The real path end to end: the service runs as its own process (e2eGlobalSetup), LiveKit posts
// its OWN webhooks to it, and two real clients (@livekit/rtc-node) join with tokens from the
// clinic API. They must both hear session_started and see the snapshot; a client that leaves and
// comes back sees the active snapshot at once; the clinic's end reaches both and closes the room.
import { uniqueName, waitFor } from '../support/isolation';
import { must } from '../../webhook-service/client';
import { clinic, disposeClients, env, join, snapshotOf, type Client } from '../support/rtcClients';

jest.setTimeout(120_000);

afterAll(async () => {
  await disposeClients();
});

test('when a student and a counselor join the room, then the session starts for both, survives a rejoin and ends when the clinic ends it', async () => {
  const studentIdentity = uniqueName('student');
  const counselorIdentity = uniqueName('counselor');
  const created = await clinic().createSession({ studentIdentity, counselorIdentity });
  expect(created.status).toBe(201);
  const sessionId = must(created).id;

  const student = await join(sessionId, studentIdentity);
  // LiveKit's participant_joined for the student reached the service; still waiting alone.
  await waitFor(async () => must(await clinic().getSession(sessionId)).participants[0]?.connected, { timeoutMs: 20_000 });
  expect((await clinic().getSession(sessionId)).data?.status).toBe('waiting');

  const counselor = await join(sessionId, counselorIdentity);
  const started = (client: Client) => client.messages.find((message) => message.type === 'session_started' && message.sessionId === sessionId);
  await waitFor(() => started(student) && started(counselor), { timeoutMs: 20_000 });
  const message = started(student);
  expect(started(counselor)).toEqual(message);

  for (const client of [student, counselor]) {
    await waitFor(() => snapshotOf(client)?.status === 'active', { timeoutMs: 10_000 });
    expect(snapshotOf(client)).toMatchObject({ sessionId, status: 'active', messageId: message?.messageId });
  }

  const active = must(await clinic().getSession(sessionId));
  expect(active).toMatchObject({ status: 'active', actualStart: (message as { startedAt: string }).startedAt, actualEnd: null });

  // A reload: the student leaves and comes back; the room metadata tells them at once on connect.
  await student.room.disconnect();
  const rejoined = await join(sessionId, studentIdentity);
  expect(snapshotOf(rejoined)).toMatchObject({ sessionId, status: 'active', messageId: message?.messageId });
  // And the service tells the returning student directly, with the same message id.
  await waitFor(() => started(rejoined), { timeoutMs: 20_000 });
  expect(started(rejoined)?.messageId).toBe(message?.messageId);

  // The clinic ends it: both hear session_ended (reason ended), the snapshot says so, the room goes.
  const ending = await clinic().endSession(sessionId);
  expect(ending).toMatchObject({ status: 200, data: { status: 'ended', endReason: 'ended', actualStart: active.actualStart } });
  for (const client of [rejoined, counselor]) {
    await waitFor(() => client.messages.some((entry) => entry.type === 'session_ended' && entry.reason === 'ended'), { timeoutMs: 20_000 });
    await waitFor(() => client.disconnectReason !== null, { timeoutMs: 20_000 });
    expect(client.snapshots.at(-1)).toMatchObject({ sessionId, status: 'ended', reason: 'ended' });
  }
  const ended = must(await clinic().getSession(sessionId));
  expect(ended).toMatchObject({ status: 'ended', endReason: 'ended', actualStart: active.actualStart });
  expect(Date.parse(ended.actualEnd as string)).toBeGreaterThanOrEqual(Date.parse(ended.actualStart as string));
  const refused = await clinic().mintJoinToken(sessionId, studentIdentity);
  expect(refused).toMatchObject({ status: 409, error: { code: 'session_ended' } });
  // The pair's next appointment gets a room of its own.
  const next = await clinic().createSession({ studentIdentity, counselorIdentity });
  expect(next.status).toBe(201);
  expect(must(next).roomName).not.toBe(must(created).roomName);

  // The clinic's backend heard it all, signed, in order: both joins with the student waiting
  // between them, the start, the reload, and the end.
  const heard = async () => (await (await fetch(`${env('CLINIC_BACKEND_URL')}/received?sessionId=${sessionId}`)).json()) as { type: string; verified: boolean }[];
  await waitFor(async () => (await heard()).some((event) => event.type === 'session.ended'), { timeoutMs: 20_000 });
  const events = await heard();
  expect(events.every((event) => event.verified)).toBe(true);
  expect(events.map((event) => event.type)).toEqual([
    'participant.joined',
    'participant.waiting',
    'participant.joined',
    'session.started',
    'participant.left',
    'participant.joined',
    'session.ended',
  ]);
});
