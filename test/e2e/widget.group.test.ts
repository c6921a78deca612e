// A family appointment in real Chromium against real LiveKit and the real service: a student, a
// guardian the start waits for, a counselor and a clinical supervisor observing, disclosed. The
// waiting room names who is missing as people arrive; the observer, connected from the start,
// never starts the session; the last required arrival does. The call lays the three visible
// people out in a grid on each of their pages, without the observer; the observer's page shows
// all three; the three visible pages say that a supervisor observes. Narrowed to a phone's
// width, a page follows the speaker: one person large, the others small. When the guardian
// leaves, the continuity notice names the guardian. The observer's own page never asks for a
// camera or microphone and offers nothing they could not use (LiveKit lets them neither publish
// nor send data): no device toggles, no preview, no chat; at the start it says they observe.

import type { Page } from 'playwright-core';
import { must } from '../../webhook-service/client';
import { uniqueName, waitFor } from '../support/isolation';
import { protocolSuite } from '../support/protocolSuite';
import { clinic } from '../support/rtcClients';
import { mediaRequests, openWidget, readmeScreenshot, shadowText, waitForPhase, waitForShown, type WidgetPage } from '../support/widgetPage';

const suite = protocolSuite('group');

jest.setTimeout(90_000);

/** The remote tiles of the call as the page lays them out: whose each is, whether it shows moving video. */
function remoteTiles(page: Page): Promise<{ layout: string | undefined; tiles: { identity: string | undefined; width: number; shown: boolean }[] }> {
  return page.evaluate(() => {
    const root = document.querySelector('livekit-waiting-room')?.shadowRoot;
    const stage = root?.querySelector('[data-ref="stage"]') as HTMLElement;
    const edge = stage.getBoundingClientRect().right + 1;
    // Shown: a tile of some size, inside the stage.
    const tiles = [...(root?.querySelectorAll<HTMLVideoElement>('video.remote') ?? [])].map((video) => ({ identity: video.dataset.identity, width: video.videoWidth, shown: video.getBoundingClientRect().width > 0 && video.getBoundingClientRect().right <= edge }));
    return { layout: stage.dataset.layout, tiles };
  });
}

/** Waits until the page shows exactly these people, each in a visible tile with decoded video. */
async function waitForTiles(page: Page, identities: string[]): Promise<void> {
  const expected = [...identities].sort().join();
  await waitFor(
    async () => {
      const { layout, tiles } = await remoteTiles(page);
      return layout === 'grid' && tiles.map((tile) => tile.identity).sort().join() === expected && tiles.every((tile) => tile.shown && tile.width > 0);
    },
    { timeoutMs: 20_000 },
  ).catch(async (error: unknown) => {
    throw new Error(`expected tiles of ${expected}, saw ${JSON.stringify(await remoteTiles(page))}`, { cause: error });
  });
}

/** What an observer's page must never show: the device toggles and pickers, the preview and self view, screen sharing, the chat. */
const OBSERVER_NEVER_SHOWN = ['microphone', 'camera', 'devices', 'share', 'preview', 'level', 'self-video', 'chat', 'chat-input'];

/** Those of `refs` the page shows now (rendered: neither it nor a parent hidden). */
function shownRefs(page: Page, refs: readonly string[]): Promise<string[]> {
  return page.evaluate((refs) => refs.filter((ref) => (document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector(`[data-ref="${ref}"]`) as HTMLElement).checkVisibility()), refs);
}

async function waitForHeading(page: Page, text: string): Promise<void> {
  await page.waitForFunction((text) => document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector('[data-ref="heading"]')?.textContent === text, text, { timeout: 15_000, polling: 50 });
}

it('student, guardian, counselor and a disclosed observer: named while missing, started by the three required, three tiles each, the observer seen by none and told to all', async () => {
  const people = { student: uniqueName('student'), guardian: uniqueName('guardian'), counselor: uniqueName('counselor'), observer: uniqueName('supervisor') };
  const created = must(
    await clinic().createSession({
      studentIdentity: people.student,
      counselorIdentity: people.counselor,
      participants: [
        { identity: people.guardian, role: 'guardian', required: true },
        { identity: people.observer, role: 'observer' },
      ],
    }),
  );
  const tokens = Object.fromEntries(await Promise.all(Object.entries(people).map(async ([role, identity]) => [role, must(await clinic().mintJoinToken(created.id, identity))] as const)));
  const open = (role: keyof typeof people, participantRole = 'student'): Promise<WidgetPage> => {
    const minted = tokens[role] as { token: string; url: string };
    return openWidget(suite.browser(), suite.siteUrl(), { token: minted.token, 'server-url': minted.url, 'participant-role': participantRole });
  };
  const connected = async (identity: string) => must(await clinic().getSession(created.id)).participants.find((person) => person.identity === identity)?.connected === true;

  // The student and the observer first: the student waits for the counselor and the guardian, the observer changes nothing.
  const [student, observer] = await Promise.all([open('student'), open('observer')]);
  await Promise.all([waitForPhase(student.page, 'waiting', 'waiting'), waitForPhase(observer.page, 'waiting', 'waiting')]);
  await waitForHeading(student.page, 'Waiting for the counselor and the guardian');
  expect(await shadowText(student.page, 'observed')).toBe('A supervisor is observing this session');
  // The observer's waiting room: no device was asked for, no control or preview offered.
  expect(await mediaRequests(observer.page)).toEqual({ getUserMedia: 0, getDisplayMedia: 0 });
  expect(await shownRefs(observer.page, OBSERVER_NEVER_SHOWN)).toEqual([]);

  // The guardian: only the counselor is missing now, on both pages.
  const guardian = await open('guardian');
  await Promise.all([waitForHeading(student.page, 'Waiting for your counselor'), waitForHeading(guardian.page, 'Waiting for your counselor')]);
  await waitFor(async () => (await connected(people.student)) && (await connected(people.guardian)) && (await connected(people.observer)), { timeoutMs: 20_000 });
  // Everyone but the counselor is connected, the observer included: still waiting.
  expect(must(await clinic().getSession(created.id)).status).toBe('waiting');
  expect(await student.page.evaluate(() => document.querySelector('livekit-waiting-room')?.phase)).toBe('waiting');

  // The counselor, the last one required, starts it on every page.
  const counselor = await open('counselor', 'counselor');
  const pages = { student, guardian, counselor, observer };
  await Promise.all(Object.values(pages).map(({ page }) => waitForPhase(page, 'active', 'call', 20_000)));
  expect(must(await clinic().getSession(created.id)).status).toBe('active');

  // Each visible page: the two other visible people, never the observer; the observer's: all three.
  await Promise.all([
    waitForTiles(student.page, [people.guardian, people.counselor]),
    waitForTiles(guardian.page, [people.student, people.counselor]),
    waitForTiles(counselor.page, [people.student, people.guardian]),
    waitForTiles(observer.page, [people.student, people.guardian, people.counselor]),
  ]);
  for (const { page } of [student, guardian, counselor]) {
    expect((await remoteTiles(page)).tiles.map((tile) => tile.identity)).not.toContain(people.observer);
    expect(await page.evaluate(() => (document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector('[data-ref="observed"]') as HTMLElement).hidden)).toBe(false);
    expect(await shadowText(page, 'observed')).toBe('A supervisor is observing this session');
  }
  await readmeScreenshot(observer.page, 'widget-group');
  // The observer knows they observe: no disclosure on their page, but the start said what they do; no device asked for, no control offered.
  expect(await observer.page.evaluate(() => (document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector('[data-ref="observed"]') as HTMLElement).hidden)).toBe(true);
  expect(await shadowText(observer.page, 'system-message')).toBe('You are observing this session');
  expect(await shownRefs(observer.page, OBSERVER_NEVER_SHOWN)).toEqual([]);
  expect(await mediaRequests(observer.page)).toEqual({ getUserMedia: 0, getDisplayMedia: 0 });
  // The visible people keep theirs.
  expect(await shownRefs(student.page, ['microphone', 'camera', 'chat-input'])).toEqual(['microphone', 'camera', 'chat-input']);

  // On a phone-sized screen the counselor's page follows the speaker: one remote person large, the rest small.
  await counselor.page.setViewportSize({ width: 400, height: 760 });
  const phone = await counselor.page.waitForFunction(
    () => {
      const root = document.querySelector('livekit-waiting-room')?.shadowRoot;
      if ((root?.querySelector('[data-ref="stage"]') as HTMLElement | null)?.dataset.layout !== 'speaker') return false;
      const places = [...(root?.querySelectorAll<HTMLVideoElement>('video.remote, video.self') ?? [])].map((video) => [video.dataset.identity ?? 'self', video.dataset.place, Math.round(video.getBoundingClientRect().width)] as const);
      return places;
    },
    undefined,
    { timeout: 5_000, polling: 50 },
  );
  const places = (await phone.jsonValue()) as [string, string, number][];
  const main = places.filter(([, place]) => place === 'main');
  expect(main).toHaveLength(1);
  expect([people.student, people.guardian]).toContain(main[0]?.[0]);
  for (const [, place, width] of places) if (place === 'small') expect(width).toBeLessThan((main[0]?.[2] ?? 0) / 2);

  // The guardian leaves: the others are told so, by role, not as "your counselor" or "your student".
  await guardian.close();
  for (const { page } of [student, counselor]) expect(await waitForShown(page, 'continuity', true, 10_000)).toMatch(/^The guardian left the call - waiting for them to come back \(\d+:\d\d\)$/);
});
