// Privacy when the call ends: however it ends (ended by the clinic, cancelled, no-show, Leave,
// replaced by another device, a failure, the element removed from the page), every camera and
// microphone track the page obtained, the level meter's clone included, is stopped within 1 s.
// The page's own init script records every track from getUserMedia and clone(); nothing here
// reads the widget's internals.

import { AccessToken } from 'livekit-server-sdk';
import type { Page } from 'playwright-core';
import type { ProtocolSession } from '../support/protocolSession';
import { protocolSuite } from '../support/protocolSuite';
import {
  clickInWidget, devicesReleasedAt, events, obtainedTracks, waitForPhase, waitForPreview, waitForRemoteVideoFrames, type WidgetPage,
} from '../support/widgetPage';

const { newSession } = protocolSuite('devices');

jest.setTimeout(120_000);

/** When (page clock) the widget said the session ended for `reason`. */
async function endedAt(page: Page, reason: string): Promise<number> {
  const ended = (await events(page)).find((event) => event.type === 'session-ended');
  expect(ended?.detail.reason).toBe(reason);
  return ended?.at ?? Number.NaN;
}

/** The level meter runs: the microphone has been cloned (the meter listens to a clone). */
async function waitForMeter(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as unknown as { lwrTracks: { origin: string }[] }).lwrTracks.some(({ origin }) => origin === 'clone'), undefined, { timeout: 10_000 });
}

/** Everything the page obtained is stopped within 1 s of `since` (page clock); there was a camera, a microphone and a clone. */
async function expectReleasedWithin1s(page: Page, since: number, label: string): Promise<void> {
  const releasedAt = await devicesReleasedAt(page, 3);
  const tracks = await obtainedTracks(page);
  expect([label, tracks.some((t) => t.kind === 'video'), tracks.some((t) => t.kind === 'audio' && t.origin === 'getUserMedia'), tracks.some((t) => t.origin === 'clone')]).toEqual([label, true, true, true]);
  console.log(`${label}: ${tracks.length} tracks stopped ${Math.max(0, releasedAt - since)} ms after the end`);
  expect([label, releasedAt - since <= 1_000]).toEqual([label, true]);
}

async function startedCall(tag: string): Promise<{ session: ProtocolSession; student: WidgetPage; counselor: WidgetPage }> {
  const session = await newSession();
  const student = await session.open(`student-${tag}`, 'student');
  const counselor = await session.open(`counselor-${tag}`, 'counselor');
  await Promise.all([waitForMeter(student.page), waitForMeter(counselor.page)]);
  await session.waitUntilActive([`student-${tag}`, `counselor-${tag}`]);
  await session.activate();
  await Promise.all([waitForPhase(student.page, 'active', 'call'), waitForPhase(counselor.page, 'active', 'call')]);
  await Promise.all([waitForRemoteVideoFrames(student.page), waitForRemoteVideoFrames(counselor.page)]);
  return { session, student, counselor };
}

describe('<livekit-waiting-room> lets go of the camera and microphone when the call ends', () => {
  it('ended by the clinic in the call: both pages stop every track', async () => {
    const { session, student, counselor } = await startedCall('ended');
    await session.close('ended');
    for (const [name, { page }] of [['student', student], ['counselor', counselor]] as const) {
      await waitForPhase(page, 'ended', 'ended');
      await expectReleasedWithin1s(page, await endedAt(page, 'ended-by-clinic'), `ended by the clinic (${name})`);
    }
  });

  it('cancelled and no-show in the waiting room stop the preview and the level meter', async () => {
    for (const [serviceReason, reason] of [['cancelled', 'cancelled'], ['no_show', 'no-show']] as const) {
      const session = await newSession();
      const student = await session.open(`student-${reason}`, 'student');
      await waitForPhase(student.page, 'waiting', 'waiting');
      await waitForPreview(student.page);
      await waitForMeter(student.page);
      await session.close(serviceReason);
      await waitForPhase(student.page, 'ended', 'ended');
      await expectReleasedWithin1s(student.page, await endedAt(student.page, reason), reason);
    }
  });

  it('Leave in the call, after the camera was turned off and on again, stops every capture', async () => {
    const { student } = await startedCall('leave');
    // Turning the camera off stops it; on again captures it anew: two camera tracks to account for.
    await clickInWidget(student.page, 'camera');
    await student.page.waitForFunction(() => document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector('[data-ref="camera"]')?.getAttribute('aria-pressed') === 'false');
    await clickInWidget(student.page, 'camera');
    await student.page.waitForFunction(() => (window as unknown as { lwrTracks: { track: MediaStreamTrack }[] }).lwrTracks.filter(({ track }) => track.kind === 'video').length >= 2, undefined, { timeout: 10_000 });
    await clickInWidget(student.page, 'leave');
    await waitForPhase(student.page, 'ended', 'ended');
    await expectReleasedWithin1s(student.page, await endedAt(student.page, 'left'), 'Leave');
  });

  it('replaced by the same person on another device: the first page stops every track', async () => {
    const { session, student } = await startedCall('replaced');
    await session.open('student-replaced', 'student');
    await waitForPhase(student.page, 'ended', 'ended', 20_000);
    await expectReleasedWithin1s(student.page, await endedAt(student.page, 'replaced'), 'replaced');
  });

  it('a failed connection stops the devices captured while it was being made', async () => {
    const session = await newSession();
    const forged = new AccessToken('devkey-unknown', 'not-the-secret-of-this-server-at-all', { identity: 'student-failed', ttl: '10m' });
    forged.addGrant({ roomJoin: true, room: session.roomName, canPublish: true, canSubscribe: true });
    const student = await session.open('student-failed', 'student', { token: await forged.toJwt() });
    await waitForPhase(student.page, 'failed', 'waiting');
    const failedAt = (await events(student.page)).find((event) => event.type === 'error')?.at ?? Number.NaN;
    // Capture and connection run side by side: a track that arrives after the failure is stopped on arrival.
    const releasedAt = await devicesReleasedAt(student.page, 2);
    console.log(`failed: ${(await obtainedTracks(student.page)).length} tracks stopped ${Math.max(0, releasedAt - failedAt)} ms after the failure`);
    expect(releasedAt - failedAt).toBeLessThanOrEqual(1_000);
  });

  it('the element removed from the page in the call stops every track', async () => {
    const { student } = await startedCall('removed');
    const removedAt = await student.page.evaluate(() => {
      document.querySelector('livekit-waiting-room')?.remove();
      return Date.now();
    });
    await expectReleasedWithin1s(student.page, removedAt, 'element removed');
  });
});
