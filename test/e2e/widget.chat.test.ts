// The in-call text chat in real Chromium against real LiveKit: both ways, by keyboard, only in
// the call, never across sessions (two sessions at once, each sees only its own), forgotten when
// the call ends, off when the page or the clinic's setting in the join token turns it off, and
// axe-clean with messages in it.

import type { Page } from 'playwright-core';
import { protocolSuite } from '../support/protocolSuite';
import { clickInWidget, expectNoAxeViolations as expectAxeClean, shadowAttribute, waitForPhase, waitForShown, type WidgetPage } from '../support/widgetPage';

const { newSession } = protocolSuite('chat');

jest.setTimeout(180_000);

const axeCounts: Record<string, number> = {};
const expectNoAxeViolations = (page: Page, state: string) => expectAxeClean(page, state, axeCounts);

afterAll(() => {
  if (Object.keys(axeCounts).length > 0) console.log(`axe-core violations per state: ${Object.entries(axeCounts).map(([state, count]) => `${state} ${count}`).join(', ')}`);
});

/** The chat's lines as the page shows them ("You hello", "Counselor hi"). */
function chatLines(page: Page): Promise<string[]> {
  return page.evaluate(() => [...(document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelectorAll('[data-ref="chat-log"] p') ?? [])].map((line) => line.textContent ?? ''));
}

async function waitForChatLines(page: Page, lines: string[]): Promise<void> {
  await page
    .waitForFunction(
      (expected) => JSON.stringify([...(document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelectorAll('[data-ref="chat-log"] p') ?? [])].map((line) => line.textContent)) === JSON.stringify(expected),
      lines,
      { timeout: 10_000, polling: 50 },
    )
    .catch(async (error: unknown) => {
      throw new Error(`chat shows ${JSON.stringify(await chatLines(page))}, not ${JSON.stringify(lines)}`, { cause: error });
    });
}

/** Types a message in the chat field and sends it with Enter, as a keyboard user would. */
async function say(page: Page, text: string): Promise<void> {
  await page.locator('livekit-waiting-room [data-ref="chat-input"]').fill(text);
  await page.locator('livekit-waiting-room [data-ref="chat-input"]').press('Enter');
}

async function startedCall(tag: string): Promise<{ session: Awaited<ReturnType<typeof newSession>>; student: WidgetPage; counselor: WidgetPage }> {
  const session = await newSession();
  const student = await session.open(`student-${tag}`, 'student');
  const counselor = await session.open(`counselor-${tag}`, 'counselor');
  await Promise.all([waitForPhase(student.page, 'waiting', 'waiting'), waitForPhase(counselor.page, 'waiting', 'waiting')]);
  return { session, student, counselor };
}

describe('the in-call text chat of <livekit-waiting-room>', () => {
  it('works both ways in the call only, stays within its session, and is forgotten when the call ends', async () => {
    const a = await startedCall('a');
    // Another session running at the same time, its counselor in the call.
    const b = await newSession();
    const other = await b.open('counselor-b', 'counselor');
    // The waiting room has no chat.
    expect(await shadowAttribute(a.student.page, 'chat', 'hidden')).toBe('');
    await Promise.all([a.session.waitUntilActive(['student-a', 'counselor-a']), b.waitUntilActive(['counselor-b'])]);
    await Promise.all([a.session.activate(), b.activate()]);
    for (const { page } of [a.student, a.counselor, other]) await waitForPhase(page, 'active', 'call');
    await waitForShown(a.student.page, 'chat');

    await say(a.student.page, 'Can you see the worksheet?');
    await waitForChatLines(a.counselor.page, ['StudentCan you see the worksheet?']);
    await waitForChatLines(a.student.page, ['YouCan you see the worksheet?']);
    expect(await a.student.page.locator('livekit-waiting-room [data-ref="chat-input"]').inputValue()).toBe('');
    await a.counselor.page.locator('livekit-waiting-room [data-ref="chat-input"]').fill('Yes, page two.');
    await clickInWidget(a.counselor.page, 'chat-send');
    await waitForChatLines(a.student.page, ['YouCan you see the worksheet?', 'CounselorYes, page two.']);
    await say(other.page, 'Hello from the other session');
    await waitForChatLines(other.page, ['YouHello from the other session']);
    await expectNoAxeViolations(a.student.page, 'call with chat messages');

    // Nothing of one session reached the other, either way.
    expect(await chatLines(other.page)).toEqual(['YouHello from the other session']);
    expect(await chatLines(a.student.page)).toEqual(['YouCan you see the worksheet?', 'CounselorYes, page two.']);
    expect(await chatLines(a.counselor.page)).toEqual(['StudentCan you see the worksheet?', 'YouYes, page two.']);

    await a.session.close('ended');
    await waitForPhase(a.student.page, 'ended', 'ended');
    expect(await chatLines(a.student.page)).toEqual([]);
  });

  it('chat="off" (the clinic’s switch) shows no chat and sends nothing', async () => {
    const { session, student, counselor } = await startedCall('off');
    await student.page.evaluate(() => document.querySelector('livekit-waiting-room')?.setAttribute('chat', 'off'));
    await session.waitUntilActive(['student-off', 'counselor-off']);
    await session.activate();
    await Promise.all([waitForPhase(student.page, 'active', 'call'), waitForPhase(counselor.page, 'active', 'call')]);
    await waitForShown(counselor.page, 'chat');
    expect(await shadowAttribute(student.page, 'chat', 'hidden')).toBe('');
    // Even a script submitting the hidden form sends nothing.
    await student.page.evaluate(() => {
      const root = document.querySelector('livekit-waiting-room')?.shadowRoot;
      (root?.querySelector('[data-ref="chat-input"]') as HTMLInputElement).value = 'should not go';
      (root?.querySelector('[data-ref="chat-form"]') as HTMLFormElement).requestSubmit();
    });
    await say(counselor.page, 'ping');
    await waitForChatLines(counselor.page, ['Youping']);
    expect(await chatLines(counselor.page)).toEqual(['Youping']);
  });

  it("the clinic's chat off in the join token wins over the page: no chat shown, and nothing another client sends on the chat topic appears", async () => {
    const session = await newSession();
    // The student's token says what CLINIC_CALL_SETTINGS says; the counselor's stands for a client that ignores it.
    const student = await session.open('student-clinic-off', 'student', { token: await session.token('student-clinic-off', 'student', { attributes: { 'autostart.chat': 'off' } }) });
    const counselor = await session.open('counselor-clinic-off', 'counselor');
    await student.page.evaluate(() => document.querySelector('livekit-waiting-room')?.setAttribute('chat', 'on'));
    await session.waitUntilActive(['student-clinic-off', 'counselor-clinic-off']);
    await session.activate();
    await Promise.all([waitForPhase(student.page, 'active', 'call'), waitForPhase(counselor.page, 'active', 'call')]);
    await waitForShown(counselor.page, 'chat');
    expect(await shadowAttribute(student.page, 'chat', 'hidden')).toBe('');
    await say(counselor.page, 'ping');
    await waitForChatLines(counselor.page, ['Youping']);
    expect(await chatLines(student.page)).toEqual([]);
  });
});
