// Where the widget gets its tokens, against real LiveKit: `token-url` called with `token-method`
// and the headers of the page's `tokenRequest` hook (the test answers as the host's backend
// would, minting a fresh token each time), and, when LiveKit gives up reconnecting, a fresh token
// and a new connection, tried again with backoff, instead of "failed".

import type { BrowserContext, Route } from 'playwright-core';
import type { ProtocolSession } from '../support/protocolSession';
import { protocolSuite } from '../support/protocolSuite';
import { clickInWidget, events, openPage, waitForPhase, waitForRemoteVideoFrames, widgetPhase, type WidgetPage } from '../support/widgetPage';

/** A portal page: the widget with token-url (and token-method when given) and a tokenRequest hook adding a CSRF header. */
const PORTAL_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>portal</title></head><body>
<script src="/widget/livekit-waiting-room.js"></script>
<script>
  const params = new URLSearchParams(location.search);
  const widget = document.createElement('livekit-waiting-room');
  widget.setAttribute('participant-role', params.get('participant-role'));
  widget.setAttribute('token-url', '/portal/token');
  if (params.get('token-method')) widget.setAttribute('token-method', params.get('token-method'));
  if (params.get('end-url')) widget.setAttribute('end-url', params.get('end-url'));
  let csrf = 0;
  widget.tokenRequest = (request) => ({ ...request, headers: { ...request.headers, 'x-csrf-token': 'csrf-' + (csrf += 1) } });
  document.body.append(widget);
</script></body></html>`;

const { newSession, browser, siteUrl } = protocolSuite('tokens', { pages: () => ({ '/portal.html': PORTAL_HTML }) });

jest.setTimeout(180_000);

const opened: WidgetPage[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((page) => page.close()));
});

interface TokenCall {
  method: string;
  csrf: string | undefined;
}

/**
 * Opens the portal page for `identity`, the test answering its token requests as the host's
 * backend would (a fresh token each time); `prepare` sets up more routes before the page loads.
 */
async function openPortal(
  session: ProtocolSession,
  identity: string,
  role: 'student' | 'counselor',
  options: { tokenMethod?: string; endUrl?: string; answerEndUrl?: string; pageClock?: boolean; prepare?: (context: BrowserContext) => Promise<void> } = {},
) {
  const calls: TokenCall[] = [];
  const tokens: string[] = [];
  const answer = async (route: Route) => {
    const request = route.request();
    calls.push({ method: request.method(), csrf: (await request.allHeaders())['x-csrf-token'] });
    const token = await session.token(identity, role);
    tokens.push(token);
    await route.fulfill({ json: { token, url: process.env.LIVEKIT_URL, ...(options.answerEndUrl ? { endUrl: options.answerEndUrl } : {}) } });
  };
  const query = new URLSearchParams({ 'participant-role': role, ...(options.tokenMethod ? { 'token-method': options.tokenMethod } : {}), ...(options.endUrl ? { 'end-url': options.endUrl } : {}) });
  const page = await openPage(browser(), `${siteUrl()}/portal.html?${query.toString()}`, {
    prepare: async (context) => {
      // The page's timers on a clock the test can move on (it runs at the normal pace until then).
      if (options.pageClock) await context.clock.install();
      await context.route('**/portal/token', answer);
      await options.prepare?.(context);
    },
  });
  opened.push(page);
  return { ...page, calls, tokens };
}

describe('<livekit-waiting-room> tokens', () => {
  it('calls token-url with GET by default, with token-method when set, each time with the tokenRequest hook’s headers', async () => {
    const session = await newSession();
    const student = await openPortal(session, 'student-get', 'student');
    const counselor = await openPortal(session, 'counselor-post', 'counselor', { tokenMethod: 'POST' });
    await Promise.all([waitForPhase(student.page, 'waiting', 'waiting'), waitForPhase(counselor.page, 'waiting', 'waiting')]);
    expect(student.calls).toEqual([{ method: 'GET', csrf: 'csrf-1' }]);
    expect(counselor.calls).toEqual([{ method: 'POST', csrf: 'csrf-1' }]);

    // A second connect asks again: the hook runs again (a fresh CSRF token each time).
    await student.page.evaluate(() => (document.querySelector('livekit-waiting-room') as HTMLElement & { leave(): Promise<void> }).leave());
    await waitForPhase(student.page, 'ended', 'ended');
    await student.page.evaluate(() => (document.querySelector('livekit-waiting-room') as HTMLElement & { retry(): void }).retry());
    await waitForPhase(student.page, 'waiting', 'waiting');
    expect(student.calls).toEqual([{ method: 'GET', csrf: 'csrf-1' }, { method: 'GET', csrf: 'csrf-2' }]);
  });

  it('when LiveKit gives up reconnecting, the widget fetches a fresh token and tries again with backoff until it is back in the call', async () => {
    const session = await newSession();
    const student = await openPortal(session, 'student-rejoin', 'student', { pageClock: true });
    const counselor = await session.open('counselor-rejoin', 'counselor');
    await session.waitUntilActive(['student-rejoin', 'counselor-rejoin']);
    await session.activate();
    await Promise.all([waitForPhase(student.page, 'active', 'call'), waitForPhase(counselor.page, 'active', 'call')]);
    expect(student.calls).toHaveLength(1);

    // The student's page loses its network (signalling and HTTP): LiveKit notices (its ping
    // timeout, ~15 s), retries with its old token for ~45 s and gives up (its own log says so);
    // the widget then asks for fresh tokens. LiveKit's waits are timers of the page, so the test
    // moves the page's clock on meanwhile: the same attempts and the same give-up, in seconds
    // instead of a minute. The widget's own waits after the give-up run at the normal pace.
    let gaveUpSeen = false;
    const gaveUp = student.page.waitForEvent('console', { predicate: (message) => message.text().includes('giving up'), timeout: 150_000 }).then((message) => {
      gaveUpSeen = true;
      return message;
    });
    const cutAt = Date.now();
    await student.context.setOffline(true);
    const pageClockMoved = (async () => {
      let movedMs = 0;
      // 1 s of page time per step, with real time between steps for the failed attempts to come back.
      while (!gaveUpSeen && movedMs < 180_000) {
        await student.page.clock.fastForward(1_000);
        movedMs += 1_000;
        await student.page.waitForTimeout(50);
      }
      return movedMs;
    })();
    await waitForPhase(student.page, 'reconnecting', 'call', 60_000);
    console.log(`network cut -> reconnecting: ${Date.now() - cutAt} ms`);
    await gaveUp;
    const gaveUpAt = Date.now();
    console.log(`network cut -> LiveKit gives up: ${gaveUpAt - cutAt} ms (the page's clock moved on ${await pageClockMoved} ms more)`);
    expect(await widgetPhase(student.page)).toBe('reconnecting');
    const deadline = Date.now() + 20_000;
    while (student.calls.length < 3 && Date.now() < deadline) await student.page.waitForTimeout(200);
    console.log(`token requests while offline after LiveKit gave up: ${student.calls.length - 1}`);
    // Two fresh-token attempts failed (no network for the connection), and it still tries: not "failed".
    expect(student.calls.length).toBeGreaterThanOrEqual(3);
    expect(await widgetPhase(student.page)).toBe('reconnecting');

    await student.context.setOffline(false);
    await waitForPhase(student.page, 'active', 'call', 30_000);
    // Its camera and microphone are published again in the new connection.
    const publishedBy = Date.now() + 20_000;
    for (;;) {
      const student = (await session.publishedTracks()).find((participant) => participant.identity === 'student-rejoin');
      if (student?.tracks === 2) break;
      if (Date.now() > publishedBy) throw new Error(`the student's tracks after the rejoin: ${JSON.stringify(await session.publishedTracks())}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await Promise.all([waitForRemoteVideoFrames(student.page), waitForRemoteVideoFrames(counselor.page)]);
        expect((await events(student.page)).map((event) => event.type)).toEqual(['waiting', 'session-started']);
    console.log(`back in the call ${Date.now() - gaveUpAt} ms after LiveKit gave up, ${student.calls.length} token requests in all`);
  });

  it('"End session for everyone" POSTs with the join token as bearer: to the token answer’s endUrl when there is one, else to end-url', async () => {
    for (const where of ['endUrl', 'end-url'] as const) {
      const session = await newSession();
      const serviceEnd = `${siteUrl()}/service/v1/participant/end`;
      const ends: { url: string; authorization: string | undefined }[] = [];
      const counselor = await openPortal(session, `counselor-end-${where}`, 'counselor', {
        ...(where === 'endUrl' ? { answerEndUrl: serviceEnd, endUrl: '/portal/end-elsewhere' } : { endUrl: '/portal/end' }),
        prepare: async (context) => {
          await context.route(/\/(service\/v1\/participant|portal)\/end/, async (route) => {
            ends.push({ url: route.request().url(), authorization: (await route.request().allHeaders()).authorization });
            await route.fulfill({ json: { status: 'ended' } });
          });
        },
      });
      const student = await session.open(`student-end-${where}`, 'student');
      await session.waitUntilActive([`student-end-${where}`, `counselor-end-${where}`]);
      await session.activate();
      await Promise.all([waitForPhase(student.page, 'active', 'call'), waitForPhase(counselor.page, 'active', 'call')]);
      await clickInWidget(counselor.page, 'end');
      await clickInWidget(counselor.page, 'confirm-yes');
      const deadline = Date.now() + 10_000;
      while (ends.length === 0 && Date.now() < deadline) await counselor.page.waitForTimeout(50);
      expect([where, ends]).toEqual([where, [{ url: where === 'endUrl' ? serviceEnd : `${siteUrl()}/portal/end`, authorization: `Bearer ${counselor.tokens.at(-1)}` }]]);
      // The service ends it: the closed snapshot reaches both pages.
      await session.close('ended');
      await Promise.all([waitForPhase(student.page, 'ended', 'ended'), waitForPhase(counselor.page, 'ended', 'ended')]);
    }
  });
});
