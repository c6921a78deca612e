// The widget in real Chromium against real LiveKit, with the test playing the service's part
// through LiveKit's server API (RoomServiceClient: room metadata and sendData). This pins the
// widget's side of the protocol exactly: what starts it, what it refuses, what a reload shows.

import { randomUUID } from 'node:crypto';
import { Room as NodeRoom } from '@livekit/rtc-node';
import { DataPacket_Kind } from 'livekit-server-sdk';
import type { Page } from 'playwright-core';
import { encodeMessage, encodeSnapshot, TOPIC } from '../../plugin/protocol';
import { launchChromium } from '../../scripts/shared/browser';
import { protocolSuite } from '../support/protocolSuite';
import {
  dataMessagesReceived, events, prefixedEvents, focusedRef, focusOutline, screenshotWidget, shadowText, tabTo,
  waitForAnnouncement, waitForAudioFlowing, waitForDataMessage, waitForPhase, waitForPreview, waitForRemoteVideoFrames,
  windowErrorEvents,
} from '../support/widgetPage';

const { livekitUrl, rooms, newSession } = protocolSuite('protocol');

jest.setTimeout(90_000);

/** The element's count of another session's snapshots and messages it ignored. */
const otherSessionIgnored = (page: Page): Promise<number> =>
  page.evaluate(() => (document.querySelector('livekit-waiting-room') as HTMLElement & { otherSessionIgnored: number }).otherSessionIgnored);

async function waitForIgnored(page: Page, count: number): Promise<void> {
  await page
    .waitForFunction((count) => (document.querySelector('livekit-waiting-room') as HTMLElement & { otherSessionIgnored: number }).otherSessionIgnored >= count, count, { timeout: 10_000, polling: 20 })
    .catch(async (error: unknown) => {
      throw new Error(`ignored ${await otherSessionIgnored(page)} of another session's snapshots and messages, expected ${count}`, { cause: error });
    });
}

describe('<livekit-waiting-room> against real LiveKit', () => {
  it('shows the waiting room to each party until the server starts the session, then both start within 2 s', async () => {
    const session = await newSession();
    const student = await session.open('student-1', 'student');
    await waitForPhase(student.page, 'waiting', 'waiting');
    expect(await shadowText(student.page, 'heading')).toBe('Waiting for your counselor');
    const counselor = await session.open('counselor-1', 'counselor');
    await waitForPhase(counselor.page, 'waiting', 'waiting');
    expect(await shadowText(counselor.page, 'heading')).toBe('Waiting for your student');
    await waitForPreview(student.page);
    await screenshotWidget(student.page, 'waiting');

    await session.waitUntilActive(['student-1', 'counselor-1']);
    const startedAt = Date.now();
    const { startedAt: serverStartedAt } = await session.activate();
    await Promise.all([waitForPhase(student.page, 'active', 'call', 10_000), waitForPhase(counselor.page, 'active', 'call', 10_000)]);
    // A figure to read, not a bound to assert (wall-clock bounds flake on a shared machine; `npm run bench` measures it).
    console.log(`session_started sent -> both pages in the call: ${Date.now() - startedAt} ms`);
    for (const { page } of [student, counselor]) {
      expect(await shadowText(page, 'system-message')).toBe('Your session has started');
      await waitForAnnouncement(page, 'Your session has started');
      // Each event under its lwr- name, and (one more release) its old name.
      expect(await prefixedEvents(page)).toEqual((await events(page)).map((event) => `lwr-${event.type}`));
      const started = (await events(page)).filter((event) => event.type === 'session-started');
      expect(started.map((event) => event.detail)).toEqual([{ sessionId: session.sessionId, startedAt: serverStartedAt, resumed: false }]);
    }

    // WebRTC after the start: each side decodes the other's video and receives its audio.
    for (const { page } of [student, counselor]) {
      const size = await waitForRemoteVideoFrames(page);
      expect(size.width).toBeGreaterThan(0);
      const audio = await waitForAudioFlowing(page);
      expect(audio.after).toBeGreaterThan(audio.before);
    }
    await screenshotWidget(student.page, 'started');

    await rooms.deleteRoom(session.roomName);
    await Promise.all([waitForPhase(student.page, 'ended', 'ended'), waitForPhase(counselor.page, 'ended', 'ended')]);
    expect(await shadowText(student.page, 'ended-heading')).toBe('The session has ended: the room was closed');
    await screenshotWidget(student.page, 'ended');
  });

  it('the host is a named region landmark in the accessibility tree, with no invalid ARIA role of its own', async () => {
    const session = await newSession();
    const counselor = await session.open('counselor-6', 'counselor');
    await waitForPhase(counselor.page, 'waiting', 'waiting');
    expect(await shadowText(counselor.page, 'heading')).toBe('Waiting for your student');
    await waitForAnnouncement(counselor.page, 'Waiting for your student');
    expect(await counselor.page.evaluate(() => document.querySelector('livekit-waiting-room')?.getAttribute('role'))).toBeNull();
    // Chromium's own accessibility tree for the host: what a screen reader is given.
    const cdp = await counselor.context.newCDPSession(counselor.page);
    const { root } = await cdp.send('DOM.getDocument');
    const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: 'livekit-waiting-room' });
    const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
    expect(nodes.map((node) => ({ role: node.role?.value, name: node.name?.value }))).toEqual([{ role: 'region', name: 'Counseling session' }]);
  });

  it('Leave and Rejoin are reached with Tab and work with Enter and Space, with a focus ring in the accent color', async () => {
    const session = await newSession();
    const student = await session.open('student-7', 'student');
    await waitForPhase(student.page, 'waiting', 'waiting');
    await student.page.evaluate(() => document.querySelector('livekit-waiting-room')?.style.setProperty('--lwr-accent', 'rgb(200, 0, 100)'));

    await tabTo(student.page, 'leave');
    expect(await focusOutline(student.page)).toEqual({ style: 'solid', width: '3px', color: 'rgb(200, 0, 100)' });
    await student.page.keyboard.press('Enter');
    await waitForPhase(student.page, 'ended', 'ended');
    expect(await shadowText(student.page, 'ended-heading')).toBe('You left the session');
    await waitForAnnouncement(student.page, 'You left the session');
    expect(await focusedRef(student.page)).toBe('ended-heading');

    await tabTo(student.page, 'retry');
    expect(await shadowText(student.page, 'retry')).toBe('Rejoin');
    expect((await focusOutline(student.page))?.color).toBe('rgb(200, 0, 100)');
    await student.page.keyboard.press('Space');
    await waitForPhase(student.page, 'waiting', 'waiting');
  });

  it('a reload after the start does not strand the student in the waiting room', async () => {
    const session = await newSession();
    const student = await session.open('student-2', 'student');
    const counselor = await session.open('counselor-2', 'counselor');
    await session.waitUntilActive(['student-2', 'counselor-2']);
    // Started a minute ago, as a reload mid-session sees it (a start seconds old reads as new).
    await session.activate({ startedAt: new Date(Date.now() - 60_000) });
    await waitForPhase(student.page, 'active', 'call');

    await student.page.reload();
    await waitForPhase(student.page, 'active', 'call');
    const afterReload = await events(student.page);
    expect(afterReload.map((event) => event.type)).toEqual(['session-started']);
    expect(afterReload[0]?.detail.resumed).toBe(true);
    expect(await shadowText(student.page, 'system-message')).toBe('Your session is in progress');
    await waitForRemoteVideoFrames(counselor.page);
    await waitForRemoteVideoFrames(student.page);
  });

  it('a server message that arrives before its snapshot still starts the session once the snapshot lands', async () => {
    const session = await newSession();
    const student = await session.open('student-3', 'student');
    await waitForPhase(student.page, 'waiting', 'waiting');
    await session.waitUntilActive(['student-3']);
    await session.activate({ messageFirst: true });
    await waitForPhase(student.page, 'active', 'call', 2_000);
  });

  it('a student who denies the camera is told so, and the session still starts with sound both ways', async () => {
    const denying = await launchChromium({ answerPrompts: false });
    try {
      const session = await newSession();
      const student = await session.open('student-5', 'student', { browser: denying, permissions: ['microphone'] });
      await waitForPhase(student.page, 'waiting', 'waiting');
      await student.page.waitForFunction(() => {
        const notice = document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector('[data-ref="media-notice"]') as HTMLElement | null;
        return notice !== null && !notice.hidden;
      });
      expect(await shadowText(student.page, 'media-notice')).toMatch(/^Camera access was denied\. You can continue without video/);
      expect((await events(student.page)).find((event) => event.type === 'error')?.detail).toMatchObject({ code: 'media-denied', fatal: false });
      // Dispatched on the element without bubbling: a window-level error tracker never sees it.
      expect(await windowErrorEvents(student.page)).toEqual([]);
      await screenshotWidget(student.page, 'camera-denied');

      const counselor = await session.open('counselor-5', 'counselor');
      await session.waitUntilActive(['student-5', 'counselor-5']);
      await session.activate();
      await Promise.all([waitForPhase(student.page, 'active', 'call', 2_000), waitForPhase(counselor.page, 'active', 'call', 2_000)]);
      await waitForRemoteVideoFrames(student.page);
      await waitForAudioFlowing(student.page);
      await waitForAudioFlowing(counselor.page);
    } finally {
      await denying.close();
    }
  });

  it('another session’s snapshot, start and end put into the room by the service API are ignored and counted, never shown', async () => {
    const session = await newSession();
    const other = `sess-${randomUUID()}`;
    const otherSnapshot = (status: 'active' | 'ended', messageId: string) =>
      encodeSnapshot({ v: 1, type: 'session_snapshot', sessionId: other, status, startedAt: new Date().toISOString(), endedAt: status === 'ended' ? new Date().toISOString() : null, reason: status === 'ended' ? 'ended' : null, messageId });
    const sendOther = (message: Parameters<typeof encodeMessage>[0]) => rooms.sendData(session.roomName, encodeMessage(message), DataPacket_Kind.RELIABLE, { topic: TOPIC });

    // The room still holds another session's active snapshot when the student joins.
    await rooms.updateRoomMetadata(session.roomName, otherSnapshot('active', 'msg-other-1'));
    const student = await session.open('student-8', 'student');
    await waitForPhase(student.page, 'waiting', 'waiting');
    await waitForIgnored(student.page, 1);
    const counselor = await session.open('counselor-8', 'counselor');
    await waitForPhase(counselor.page, 'waiting', 'waiting');
    await waitForIgnored(counselor.page, 1);
    await session.waitUntilActive(['student-8', 'counselor-8']);

    // That session's start, snapshot then message, as the service would send it.
    await rooms.updateRoomMetadata(session.roomName, otherSnapshot('active', 'msg-other-2'));
    await sendOther({ v: 1, type: 'session_started', messageId: 'msg-other-2', sessionId: other, startedAt: new Date().toISOString() });
    for (const { page } of [student, counselor]) {
      await waitForIgnored(page, 3);
      expect(await page.evaluate(() => (document.querySelector('livekit-waiting-room') as HTMLElement & { phase: string }).phase)).toBe('waiting');
      expect((await events(page)).map((event) => event.type)).toEqual(['waiting']);
    }

    // Its own start works; then the other session's end changes nothing in this call.
    await session.activate();
    await Promise.all([waitForPhase(student.page, 'active', 'call'), waitForPhase(counselor.page, 'active', 'call')]);
    await rooms.updateRoomMetadata(session.roomName, otherSnapshot('ended', 'msg-other-3'));
    await sendOther({ v: 1, type: 'session_ended', messageId: 'msg-other-3', sessionId: other, endedAt: new Date().toISOString(), reason: 'ended' });
    for (const { page } of [student, counselor]) {
      await waitForIgnored(page, 5);
      expect(await page.evaluate(() => (document.querySelector('livekit-waiting-room') as HTMLElement & { phase: string }).phase)).toBe('active');
      expect((await events(page)).map((event) => event.type)).toEqual(['waiting', 'session-started']);
      expect((await events(page))[1]?.detail.sessionId).toBe(session.sessionId);
    }
  });

  it('a look-alike session_started or session_ended from a peer or a hidden participant changes nothing', async () => {
    const session = await newSession();
    const student = await session.open('student-4', 'student');
    const counselor = await session.open('counselor-4', 'counselor');
    await Promise.all([waitForPhase(student.page, 'waiting', 'waiting'), waitForPhase(counselor.page, 'waiting', 'waiting')]);
    await session.waitUntilActive(['student-4', 'counselor-4']);

    const forgedStart = encodeMessage({ v: 1, type: 'session_started', messageId: 'forged-1', sessionId: session.sessionId, startedAt: new Date().toISOString() });
    const forgedEnd = encodeMessage({ v: 1, type: 'session_ended', messageId: 'forged-2', sessionId: session.sessionId, endedAt: new Date().toISOString(), reason: 'ended' });
    for (const [identity, extra] of [['intruder', {}], ['hidden-intruder', { hidden: true }]] as const) {
      const intruder = new NodeRoom();
      await intruder.connect(livekitUrl, await session.token(identity, 'student', extra));
      try {
        await session.waitUntilActive([identity]);
        const before = await dataMessagesReceived(student.page);
        await intruder.localParticipant?.publishData(forgedStart, { reliable: true, topic: TOPIC });
        await intruder.localParticipant?.publishData(forgedEnd, { reliable: true, topic: TOPIC });
        await waitForDataMessage(student.page, before, 10_000, 2);
        for (const { page } of [student, counselor]) {
          expect(await page.evaluate(() => (document.querySelector('livekit-waiting-room') as HTMLElement & { phase: string }).phase)).toBe('waiting');
          expect((await events(page)).map((event) => event.type)).toEqual(['waiting']);
        }
      } finally {
        await intruder.disconnect();
      }
    }

    // The real start still works afterwards (the forged id did not poison anything).
    await session.activate();
    await Promise.all([waitForPhase(student.page, 'active', 'call', 2_000), waitForPhase(counselor.page, 'active', 'call', 2_000)]);
  });
});
