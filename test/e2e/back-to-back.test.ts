// A counselor's back-to-back appointments with the same student, as a clinic runs them: session A
// is active, the clinic ends it, and session B for the same pair is created at once. B's people
// must never see A's people, A's messages or snapshot, or A's end, and must never be thrown out
// by A's room deletion. Real LiveKit (the service is its webhook target), real rtc-node clients.
import { RoomEvent } from '@livekit/rtc-node';
import { must } from '../../webhook-service/client';
import { uniqueName, waitFor } from '../support/isolation';
import { clinic, disposeClients, join, received, snapshotOf, type Client } from '../support/rtcClients';

jest.setTimeout(180_000);

afterAll(async () => {
  await disposeClients();
});

const TRIALS = 5;

/** The sid of everyone the client has ever seen in its room. */
function watch(client: Client): Set<string> {
  const seen = new Set<string>();
  for (const participant of client.room.remoteParticipants.values()) seen.add(participant.sid as string);
  client.room.on(RoomEvent.ParticipantConnected, (participant) => seen.add(participant.sid as string));
  return seen;
}

test(`when session B follows session A of the same pair at once (${TRIALS} trials), then B's people never see A's people, messages, snapshot or end, and stay in their call`, async () => {
  const student = uniqueName('student');
  const counselor = uniqueName('counselor');
  for (let trial = 0; trial < TRIALS; trial += 1) {
    const a = must(await clinic().createSession({ studentIdentity: student, counselorIdentity: counselor }));
    const aClients = [await join(a.id, student), await join(a.id, counselor)];
    await waitFor(() => aClients.every((client) => received(client, 'session_started', a.id)), { timeoutMs: 20_000 });

    // The clinic ends A and creates B for the same pair straight away; the pair moves over.
    const b = must(await clinic().createSession({ studentIdentity: student, counselorIdentity: counselor }));
    const ended = clinic().endSession(a.id);
    const bStudent = await join(b.id, student);
    const seen = watch(bStudent);
    expect((await ended).status).toBe(200);
    const bCounselor = await join(b.id, counselor);
    await waitFor(() => [bStudent, bCounselor].every((client) => received(client, 'session_started', b.id)), { timeoutMs: 20_000 });
    // A's close runs (session_ended, then its room deleted) while B is in its call.
    await waitFor(() => aClients.every((client) => client.disconnectReason !== null), { timeoutMs: 20_000 });

    expect(b.roomName).not.toBe(a.roomName);
    for (const client of [bStudent, bCounselor]) {
      expect(client.messages.every((message) => message.sessionId === b.id)).toBe(true);
      expect(client.snapshots.every((snapshot) => snapshot.sessionId === b.id)).toBe(true);
      expect(snapshotOf(client)).toMatchObject({ sessionId: b.id, status: 'active' });
      expect(client.disconnectReason).toBeNull();
    }
    // The only other person B's student ever saw is B's counselor: the same identity as A's, never A's connection.
    const bCounselorSid = bCounselor.room.localParticipant?.sid;
    expect([...bStudent.room.remoteParticipants.values()].map((participant) => participant.sid)).toEqual([bCounselorSid]);
    expect([...seen]).toEqual([bCounselorSid]);
    const aSids = aClients.map((client) => client.room.localParticipant?.sid);
    for (const sid of aSids) expect(seen.has(sid as string)).toBe(false);
    expect(must(await clinic().getSession(b.id)).status).toBe('active');
    await Promise.all([bStudent.room.disconnect(), bCounselor.room.disconnect()]);
    expect((await clinic().endSession(b.id)).status).toBe(200);
  }
});
