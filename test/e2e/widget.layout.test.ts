// The widget's layout follows the page's writing direction and colour scheme: in Hebrew with
// dir="rtl" the call mirrors (the self view at the inline end, which is the left); with the
// system's dark scheme every colour comes from the dark set of custom properties, and axe-core
// still finds no contrast problem.

import type { Page } from 'playwright-core';
import { protocolSuite } from '../support/protocolSuite';
import { expectNoAxeViolations, shadowText, waitForPhase, waitForRemoteVideoFrames } from '../support/widgetPage';

const { newSession } = protocolSuite('layout');

jest.setTimeout(120_000);

/** Where the self view sits in the stage: its distance from the stage's left and right edges. */
function selfViewInset(page: Page): Promise<{ left: number; right: number }> {
  return page.evaluate(() => {
    const root = document.querySelector('livekit-waiting-room')?.shadowRoot;
    const stage = (root?.querySelector('.stage') as HTMLElement).getBoundingClientRect();
    const self = (root?.querySelector('[data-ref="self-video"]') as HTMLElement).getBoundingClientRect();
    return { left: Math.round(self.left - stage.left), right: Math.round(stage.right - self.right) };
  });
}

const HEBREW = {
  'text-waiting-for-counselor': 'ממתינים ליועץ שלך',
  'text-waiting-for-student': 'ממתינים לסטודנט שלך',
  'text-session-started': 'הפגישה שלך התחילה',
  'text-leave': 'יציאה מהפגישה',
};

const axeCounts: Record<string, number> = {};

describe('<livekit-waiting-room> direction and colour scheme', () => {
  it('in Hebrew with dir="rtl" the call mirrors, and in the dark scheme the colours are the dark set, axe-clean', async () => {
    const session = await newSession();
    const student = await session.open('student-rtl', 'student', { lang: 'he', dir: 'rtl', texts: HEBREW });
    const counselor = await session.open('counselor-dark', 'counselor', { colorScheme: 'dark' });
    await Promise.all([waitForPhase(student.page, 'waiting', 'waiting'), waitForPhase(counselor.page, 'waiting', 'waiting')]);
    expect(await shadowText(student.page, 'heading')).toBe('ממתינים ליועץ שלך');
    await session.waitUntilActive(['student-rtl', 'counselor-dark']);
    await session.activate();
    await Promise.all([waitForPhase(student.page, 'active', 'call'), waitForPhase(counselor.page, 'active', 'call')]);
    await Promise.all([waitForRemoteVideoFrames(student.page), waitForRemoteVideoFrames(counselor.page)]);

    // The self view sits 12px from the inline end: the left in RTL, the right in LTR.
    const rtl = await selfViewInset(student.page);
    const ltr = await selfViewInset(counselor.page);
    expect([rtl.left, ltr.right]).toEqual([12, 12]);
    expect(rtl.right).toBeGreaterThan(100);
    expect(ltr.left).toBeGreaterThan(100);
    await expectNoAxeViolations(student.page, 'call, Hebrew, rtl', axeCounts);

    const colours = await counselor.page.evaluate(() => {
      const style = getComputedStyle(document.querySelector('livekit-waiting-room') as HTMLElement);
      return { background: style.backgroundColor, color: style.color };
    });
    expect(colours).toEqual({ background: 'rgb(21, 25, 28)', color: 'rgb(231, 236, 239)' });
    await expectNoAxeViolations(counselor.page, 'call, dark scheme', axeCounts);
  });
});
