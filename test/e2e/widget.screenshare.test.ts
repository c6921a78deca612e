// Screen sharing in real Chromium against real LiveKit (Chromium's fake capture stands in for the
// picker): offered in the call only (the counselor by default, a student when the page allows),
// nothing shared before the start, the other side sees the screen large with the person small,
// and the shared screen is stopped when sharing stops and when the call ends. axe-core on both
// sides while sharing.

import type { Page } from 'playwright-core';
import { protocolSuite } from '../support/protocolSuite';
import {
  clickInWidget, events, expectNoAxeViolations as expectAxeClean, obtainedTracks, readmeScreenshot, shadowAttribute, waitForAnnouncement, waitForPhase,
  waitForRemoteVideoFrames, waitForShown, type WidgetPage,
} from '../support/widgetPage';

const { newSession } = protocolSuite('screenshare');

jest.setTimeout(120_000);

const axeCounts: Record<string, number> = {};
const expectNoAxeViolations = (page: Page, state: string) => expectAxeClean(page, state, axeCounts);

afterAll(() => {
  if (Object.keys(axeCounts).length > 0) console.log(`axe-core violations per state: ${Object.entries(axeCounts).map(([state, count]) => `${state} ${count}`).join(', ')}`);
});

/** The other party's shared screen shows moving frames on the stage. */
async function waitForRemoteScreen(page: Page): Promise<{ screen: number; person: number }> {
  const handle = await page.waitForFunction(
    () => {
      const root = document.querySelector('livekit-waiting-room')?.shadowRoot;
      const screen = root?.querySelector('[data-ref="remote-screen"]') as HTMLVideoElement | null;
      const person = root?.querySelector('[data-ref="remote-video"]') as HTMLVideoElement | null;
      if (!screen || screen.hidden || screen.videoWidth === 0 || screen.getVideoPlaybackQuality().totalVideoFrames < 3 || !person) return false;
      return { screen: screen.getBoundingClientRect().width, person: person.getBoundingClientRect().width };
    },
    undefined,
    { timeout: 20_000, polling: 100 },
  );
  return (await handle.jsonValue()) as { screen: number; person: number };
}

/** Screen tracks the page obtained (getDisplayMedia), as the init script recorded them. */
async function screenTracks(page: Page): Promise<string[]> {
  return (await obtainedTracks(page)).filter((track) => track.origin === 'getDisplayMedia').map((track) => track.readyState);
}

async function startedCall(tag: string): Promise<{ session: Awaited<ReturnType<typeof newSession>>; student: WidgetPage; counselor: WidgetPage }> {
  const session = await newSession();
  const student = await session.open(`student-${tag}`, 'student');
  const counselor = await session.open(`counselor-${tag}`, 'counselor');
  await Promise.all([waitForPhase(student.page, 'waiting', 'waiting'), waitForPhase(counselor.page, 'waiting', 'waiting')]);
  // Before the start: no Share screen, and asking the element directly shares nothing.
  expect(await shadowAttribute(counselor.page, 'share', 'hidden')).toBe('');
  await counselor.page.evaluate(() => (document.querySelector('livekit-waiting-room') as unknown as { setScreenShareEnabled(on: boolean): Promise<void> }).setScreenShareEnabled(true));
  expect(await screenTracks(counselor.page)).toEqual([]);
  await session.waitUntilActive([`student-${tag}`, `counselor-${tag}`]);
  expect(await session.publishedTracks()).toEqual(expect.arrayContaining([{ identity: `counselor-${tag}`, tracks: 0 }]));
  await session.activate();
  await Promise.all([waitForPhase(student.page, 'active', 'call'), waitForPhase(counselor.page, 'active', 'call')]);
  await Promise.all([waitForRemoteVideoFrames(student.page), waitForRemoteVideoFrames(counselor.page)]);
  return { session, student, counselor };
}

describe('screen sharing in <livekit-waiting-room>', () => {
  it('the counselor shares after the start: the student sees the screen large and the counselor small; stopping stops the capture', async () => {
    const { session, student, counselor } = await startedCall('share');
    expect(await waitForShown(counselor.page, 'share')).toBe('Share screen');
    expect(await shadowAttribute(student.page, 'share', 'hidden')).toBe('');

    await clickInWidget(counselor.page, 'share');
    expect(await waitForShown(counselor.page, 'sharing')).toBe('You are sharing your screen');
    expect(await shadowAttribute(counselor.page, 'share', 'aria-pressed')).toBe('true');
    const sizes = await waitForRemoteScreen(student.page);
    expect(sizes.person).toBeLessThan(sizes.screen / 2);
    await waitForAnnouncement(student.page, 'Your counselor is sharing their screen');
    expect((await session.publishedTracks()).find((p) => p.identity === 'counselor-share')?.tracks).toBe(3);
    await expectNoAxeViolations(student.page, 'call, the other side sharing');
    await expectNoAxeViolations(counselor.page, 'call, sharing');
    await readmeScreenshot(student.page, 'widget-screen-share');

    // Keyboard too: the toggle is a native button; Enter stops sharing.
    await counselor.page.locator('livekit-waiting-room [data-ref="share"]').focus();
    await counselor.page.keyboard.press('Enter');
    await waitForShown(counselor.page, 'sharing', false);
    await waitForShown(student.page, 'remote-screen', false);
    expect(await shadowAttribute(counselor.page, 'share', 'aria-pressed')).toBe('false');
    expect(await screenTracks(counselor.page)).toEqual(['ended']);
    await waitForRemoteVideoFrames(student.page);
  });

  it('a screen shared when the session ends is stopped with the call', async () => {
    const { session, student, counselor } = await startedCall('ends');
    await clickInWidget(counselor.page, 'share');
    await waitForRemoteScreen(student.page);
    expect(await screenTracks(counselor.page)).toEqual(['live']);
    await session.close('ended');
    await waitForPhase(counselor.page, 'ended', 'ended');
    const endedAt = (await events(counselor.page)).find((event) => event.type === 'session-ended')?.at ?? Number.NaN;
    const stoppedAt = await counselor.page.waitForFunction(
      () => (window as unknown as { lwrTracks: { origin: string; track: MediaStreamTrack }[] }).lwrTracks.filter(({ origin }) => origin === 'getDisplayMedia').every(({ track }) => track.readyState === 'ended') && Date.now(),
      undefined,
      { timeout: 5_000, polling: 20 },
    );
    expect((await stoppedAt.jsonValue()) as number - endedAt).toBeLessThanOrEqual(1_000);
  });

  it('a student shares only when the page allows it (screen-share="everyone"), and the counselor then sees the student’s screen', async () => {
    const { student, counselor } = await startedCall('student');
    await student.page.evaluate(() => document.querySelector('livekit-waiting-room')?.setAttribute('screen-share', 'everyone'));
    await clickInWidget(student.page, 'share');
    await waitForRemoteScreen(counselor.page);
    await waitForAnnouncement(counselor.page, 'Your student is sharing their screen');
    // screen-share="none" takes the button away from the counselor.
    await counselor.page.evaluate(() => document.querySelector('livekit-waiting-room')?.setAttribute('screen-share', 'none'));
    await waitForShown(counselor.page, 'share', false);
  });

  it("the clinic's policy in the join token wins: a page cannot widen it, and a token that lets students share offers it without any attribute", async () => {
    const session = await newSession();
    const clinicSays = (policy: string) => ({ attributes: { 'autostart.screen_share': policy } });
    const narrowed = await session.open('student-narrowed', 'student', { token: await session.token('student-narrowed', 'student', clinicSays('counselor')) });
    const allowed = await session.open('student-allowed', 'student', { token: await session.token('student-allowed', 'student', clinicSays('everyone')) });
    const counselor = await session.open('counselor-none', 'counselor', { token: await session.token('counselor-none', 'counselor', clinicSays('none')) });
    await narrowed.page.evaluate(() => document.querySelector('livekit-waiting-room')?.setAttribute('screen-share', 'everyone'));
    await session.waitUntilActive(['student-narrowed', 'student-allowed', 'counselor-none']);
    await session.activate();
    await Promise.all([narrowed, allowed, counselor].map(({ page }) => waitForPhase(page, 'active', 'call')));
    await waitForShown(allowed.page, 'share');
    expect(await shadowAttribute(narrowed.page, 'share', 'hidden')).toBe('');
    expect(await shadowAttribute(counselor.page, 'share', 'hidden')).toBe('');
  });
});
