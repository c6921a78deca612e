// The continuity notice rests on the widgets' presence heartbeat, not on media: a student whose
// browser freezes (a browser process of its own, SIGSTOP of its process group) at any moment of
// the call, with or without camera and microphone, is reported to the counselor within 10 s, and
// the notice clears within 2 s of the student's return. The frozen page itself, once it runs
// again, does not blame the counselor for its own gap.

import type { Page } from 'playwright-core';
import { launchFreezableChromium } from '../../scripts/shared/browser';
import { protocolSuite } from '../support/protocolSuite';
import { clickInWidget, shadowAttribute, waitForAnnouncement, waitForPhase, waitForShown } from '../support/widgetPage';

const { newSession } = protocolSuite('presence');

jest.setTimeout(180_000);

/** Records on the page every moment its continuity notice shows (page clock), from now on. */
async function recordContinuity(page: Page): Promise<void> {
  await page.evaluate(() => {
    const notice = document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector('[data-ref="continuity"]') as HTMLElement;
    const state = window as unknown as { lwrContinuityShown: number[] };
    state.lwrContinuityShown = [];
    new MutationObserver(() => {
      if (!notice.hidden) state.lwrContinuityShown.push(Date.now());
    }).observe(notice, { attributes: true, attributeFilter: ['hidden'] });
  });
}

const continuityShown = (page: Page): Promise<number[]> => page.evaluate(() => (window as unknown as { lwrContinuityShown: number[] }).lwrContinuityShown);

async function freezeInCall(tag: string, options: { freezeAfterMs: number; mediaOff: boolean }): Promise<void> {
  const studentBrowser = await launchFreezableChromium();
  try {
    const session = await newSession();
    const student = await session.open(`student-${tag}`, 'student', { browser: studentBrowser.browser });
    const counselor = await session.open(`counselor-${tag}`, 'counselor');
    await Promise.all([waitForPhase(student.page, 'waiting', 'waiting'), waitForPhase(counselor.page, 'waiting', 'waiting')]);
    if (options.mediaOff) {
      // The student enters with camera and microphone off: LiveKit has no media to rate them by.
      for (const kind of ['camera', 'microphone']) {
        await clickInWidget(student.page, kind);
        await student.page.waitForFunction((kind) => document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector(`[data-ref="${kind}"]`)?.getAttribute('aria-pressed') === 'false', kind);
      }
    }
    await session.waitUntilActive([`student-${tag}`, `counselor-${tag}`]);
    await session.activate();
    await Promise.all([waitForPhase(student.page, 'active', 'call'), waitForPhase(counselor.page, 'active', 'call')]);
    const callAt = Date.now();
    if (options.mediaOff) expect(await waitForShown(counselor.page, 'remote-status')).toBe('Muted · Camera off');
    await recordContinuity(student.page);
    // The moment of the call the scenario names (not a wait for an effect).
    await counselor.page.waitForTimeout(Math.max(0, options.freezeAfterMs - (Date.now() - callAt)));
    expect(await shadowAttribute(counselor.page, 'continuity', 'hidden')).toBe('');

    studentBrowser.freeze();
    const frozenAt = Date.now();
    expect(await waitForShown(counselor.page, 'continuity', true, 10_000)).toMatch(/^Your student’s connection dropped - waiting for them to come back \(\d+:\d\d\)$/);
    const reportedAfter = Date.now() - frozenAt;
    await waitForAnnouncement(counselor.page, 'Your student’s connection dropped - waiting for them to come back');

    studentBrowser.thaw();
    const thawedAt = Date.now();
    await waitForShown(counselor.page, 'continuity', false, 45_000);
    const clearedAfter = Date.now() - thawedAt;
    console.log(`${tag}: frozen ${Math.round((frozenAt - callAt) / 100) / 10} s into the call${options.mediaOff ? ' (camera and microphone off)' : ''} -> counselor told after ${reportedAfter} ms; thawed -> notice cleared after ${clearedAfter} ms`);
    expect(reportedAfter).toBeLessThan(10_000);
    expect(clearedAfter).toBeLessThan(2_000);
    await waitForAnnouncement(counselor.page, 'Your student is back', 5_000);
    await waitForPhase(student.page, 'active', 'call', 45_000);
    // The student's page stood still; the counselor did not: the student is never told the counselor dropped.
    expect(await continuityShown(student.page)).toEqual([]);
  } finally {
    await studentBrowser.close();
  }
}

describe('the continuity notice follows the presence heartbeat', () => {
  it('a student frozen 2 s into the call with camera and microphone off is reported within 10 s, and the notice clears within 2 s of the return', async () => {
    await freezeInCall('early', { freezeAfterMs: 2_000, mediaOff: true });
  });

  it('a student frozen 30 s into the call is reported within 10 s, and the notice clears within 2 s of the return', async () => {
    await freezeInCall('late', { freezeAfterMs: 30_000, mediaOff: false });
  });
});
