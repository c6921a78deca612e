// "End session for everyone" in real Chromium, for a portal that ends sessions through its own
// backend: the host hands its end call to the event's waitUntil. While it runs the confirmation
// cannot be pressed twice; when it fails the widget resets (the button back, the failure said,
// the call going on); when it succeeds the service's close reaches both pages.

import { protocolSuite } from '../support/protocolSuite';
import { clickInWidget, events, shadowAttribute, shadowText, waitForAnnouncement, waitForPhase, waitForShown, widgetPhase } from '../support/widgetPage';

const { newSession } = protocolSuite('ending');

jest.setTimeout(120_000);

describe('End session for everyone through the host’s own end call', () => {
  it('a failed host call resets the button and the call goes on; a successful one ends the session for both', async () => {
    const session = await newSession();
    const student = await session.open('student-end', 'student');
    const counselor = await session.open('counselor-end', 'counselor');
    await session.waitUntilActive(['student-end', 'counselor-end']);

    // The portal's backend, played by the test: the first call fails when the test says so, the second closes the session.
    let failFirst: (reason: string) => void = () => undefined;
    const firstCall = new Promise<never>((_, reject) => (failFirst = (reason) => reject(new Error(reason))));
    let calls = 0;
    await counselor.page.exposeFunction('portalEndSession', async () => {
      calls += 1;
      if (calls === 1) return firstCall;
      await session.close('ended');
      return 'ended';
    });
    await counselor.page.evaluate(() => {
      const widget = document.querySelector('livekit-waiting-room') as HTMLElement & { endButton: boolean };
      widget.endButton = true;
      widget.addEventListener('lwr-end-requested', (event) => {
        const { detail } = event as CustomEvent<{ waitUntil(promise: Promise<unknown>): void }>;
        event.preventDefault();
        detail.waitUntil((window as unknown as { portalEndSession(): Promise<unknown> }).portalEndSession());
      });
    });

    await session.activate();
    await Promise.all([waitForPhase(student.page, 'active', 'call'), waitForPhase(counselor.page, 'active', 'call')]);
    expect(await waitForShown(counselor.page, 'end')).toBe('End session for everyone');
    expect(await shadowAttribute(student.page, 'end', 'hidden')).toBe('');

    await clickInWidget(counselor.page, 'end');
    await waitForShown(counselor.page, 'confirm');
    await clickInWidget(counselor.page, 'confirm-yes');
    // The host's call is running: the confirmation cannot be pressed again.
    await counselor.page.waitForFunction(() => (document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector('[data-ref="confirm-yes"]') as HTMLButtonElement).disabled);
    failFirst('the portal answered 503');
    await waitForAnnouncement(counselor.page, 'The session could not be ended. Try again.');
    // Reset: the End button is back and can be pressed, the confirmation gone, the call on for both.
    expect(await waitForShown(counselor.page, 'end')).toBe('End session for everyone');
    expect(await shadowAttribute(counselor.page, 'end', 'disabled')).toBeNull();
    expect(await shadowAttribute(counselor.page, 'confirm', 'hidden')).toBe('');
    expect(await shadowText(counselor.page, 'system-message')).toBe('The session could not be ended. Try again.');
    expect([await widgetPhase(counselor.page), await widgetPhase(student.page)]).toEqual(['active', 'active']);
    expect((await events(counselor.page)).filter((event) => event.type === 'error').map((event) => event.detail)).toEqual([
      expect.objectContaining({ code: 'end-failed', fatal: false }),
    ]);

    await clickInWidget(counselor.page, 'end');
    await clickInWidget(counselor.page, 'confirm-yes');
    await Promise.all([waitForPhase(counselor.page, 'ended', 'ended'), waitForPhase(student.page, 'ended', 'ended')]);
    for (const { page } of [student, counselor]) {
      expect((await events(page)).find((event) => event.type === 'session-ended')?.detail).toEqual({ sessionId: session.sessionId, reason: 'ended-by-clinic' });
    }
    expect(calls).toBe(2);
    expect((await events(counselor.page)).filter((event) => event.type === 'end-requested')).toHaveLength(2);
  });
});

