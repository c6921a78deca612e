// Media privacy is LiveKit's to enforce: join tokens minted before the start cannot publish, and
// the service grants publishing through LiveKit's API at the start. That grant may reach a page
// after session_started: the widget then waits for LiveKit's permission change and publishes.
// Here the test plays the service and grants late, through RoomServiceClient.updateParticipant.

import { protocolSuite } from '../support/protocolSuite';
import { events, waitForPhase, waitForRemoteVideoFrames } from '../support/widgetPage';

const { rooms, newSession } = protocolSuite('permissions');

jest.setTimeout(120_000);

describe('<livekit-waiting-room> with tokens that may not publish before the start', () => {
  it('a session started before LiveKit grants publishing ends with both sides published once the grant comes', async () => {
    const session = await newSession();
    const noPublishing = { canPublish: false, canPublishData: false };
    const student = await session.open('student-grant', 'student', { token: await session.token('student-grant', 'student', noPublishing) });
    const counselor = await session.open('counselor-grant', 'counselor', { token: await session.token('counselor-grant', 'counselor', noPublishing) });
    await Promise.all([waitForPhase(student.page, 'waiting', 'waiting'), waitForPhase(counselor.page, 'waiting', 'waiting')]);
    await session.waitUntilActive(['student-grant', 'counselor-grant']);
    await session.activate();
    await Promise.all([waitForPhase(student.page, 'active', 'call'), waitForPhase(counselor.page, 'active', 'call')]);
    // In the call, but LiveKit holds nothing of them: nobody may publish yet.
    expect(await session.publishedTracks()).toEqual(expect.arrayContaining([{ identity: 'student-grant', tracks: 0 }, { identity: 'counselor-grant', tracks: 0 }]));

    for (const identity of ['student-grant', 'counselor-grant']) {
      await rooms.updateParticipant(session.roomName, identity, { permission: { canPublish: true, canSubscribe: true, canPublishData: true } });
    }
    const deadline = Date.now() + 20_000;
    for (;;) {
      const published = await session.publishedTracks();
      if (published.every((participant) => participant.tracks === 2)) break;
      if (Date.now() > deadline) throw new Error(`tracks after the grant: ${JSON.stringify(published)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await Promise.all([waitForRemoteVideoFrames(student.page), waitForRemoteVideoFrames(counselor.page)]);
    // Waiting for the grant is no error to the page.
    for (const { page } of [student, counselor]) expect((await events(page)).map((event) => event.type)).toEqual(['waiting', 'session-started']);
  });
});
