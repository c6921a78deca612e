// The widget embedded as clinic portals embed it: under a strict Content-Security-Policy (no
// inline styles), with properties set before the element's definition loads (frameworks do),
// with an inline tokenSource a framework passes anew on every render, and with nothing to
// connect with at all.

import type { Page } from 'playwright-core';
import { protocolSuite } from '../support/protocolSuite';
import {
  cspViolations, events, obtainedTracks, openPage, shadowText, waitForPhase, waitForRemoteVideoFrames, widgetPhase, type WidgetPage,
} from '../support/widgetPage';

const NONCE = 'lwr-test-nonce';

/** The harness as a file: a strict script-src refuses inline scripts. */
const HARNESS_JS = `
const params = new URLSearchParams(location.search);
const widget = document.createElement('livekit-waiting-room');
for (const name of ['participant-role', 'token', 'server-url', 'nonce']) {
  if (params.get(name)) widget.setAttribute(name, params.get(name));
}
document.body.append(widget);
`;

const strictPage = (csp: string) => ({
  body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>strict CSP</title></head>
<body><script src="/widget/livekit-waiting-room.js"></script><script src="/embed/harness.js"></script></body></html>`,
  headers: { 'content-security-policy': csp },
});

/** Properties set on the element before its definition is loaded, as a framework does. */
const UPGRADE_HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>upgrade</title></head><body>
<script>
  const params = new URLSearchParams(location.search);
  window.lwrTokenCalls = [];
  const source = (name) => () => {
    window.lwrTokenCalls.push(name);
    return Promise.resolve({ token: params.get('token'), url: params.get('server-url') });
  };
  window.lwrSource = source;
  const widget = document.createElement('livekit-waiting-room');
  widget.participantRole = 'counselor';
  widget.texts = { waitingForStudent: 'Your client will be here soon' };
  widget.tokenSource = source('first');
  window.lwrDefinedWhenSet = Boolean(customElements.get('livekit-waiting-room'));
  document.body.append(widget);
  const script = document.createElement('script');
  script.src = '/widget/livekit-waiting-room.js';
  document.head.append(script);
</script></body></html>`;

const { newSession, browser, siteUrl } = protocolSuite('embed', {
  pages: (livekitUrl) => {
    const livekit = new URL(livekitUrl);
    const connect = `connect-src 'self' ws://${livekit.host} http://${livekit.host}`;
    return {
      '/embed/harness.js': { body: HARNESS_JS, type: 'text/javascript; charset=utf-8' },
      '/strict.html': strictPage(`default-src 'self'; style-src 'self'; ${connect}`),
      '/strict-nonce.html': strictPage(`default-src 'self'; style-src 'self' 'nonce-${NONCE}'; ${connect}`),
      '/upgrade.html': UPGRADE_HTML,
    };
  },
});

jest.setTimeout(120_000);

/** A browser without constructable stylesheets: the widget falls back to a <style> with the nonce. */
const WITHOUT_ADOPTED_STYLESHEETS = 'delete ShadowRoot.prototype.adoptedStyleSheets; delete Document.prototype.adoptedStyleSheets;';

const opened: WidgetPage[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((page) => page.close()));
});

async function open(url: string, initScript?: string): Promise<WidgetPage> {
  const page = await openPage(browser(), `${siteUrl()}${url}`, { initScript });
  opened.push(page);
  return page;
}

/** The host's own styles applied (from the shadow stylesheet's :host rule): padding and corner radius. */
function hostStyle(page: Page): Promise<{ padding: string; radius: string }> {
  return page.evaluate(() => {
    const style = getComputedStyle(document.querySelector('livekit-waiting-room') as HTMLElement);
    return { padding: style.paddingTop, radius: style.borderTopLeftRadius };
  });
}

describe('<livekit-waiting-room> embedded in a clinic portal', () => {
  it('under a strict CSP (style-src without unsafe-inline) it is styled and the call works; without constructable stylesheets the nonce carries it', async () => {
    const session = await newSession();
    const query = async (identity: string, extra: Record<string, string> = {}) =>
      new URLSearchParams({ 'participant-role': 'student', token: await session.token(identity, 'student'), 'server-url': process.env.LIVEKIT_URL ?? '', ...extra }).toString();

    const student = await open(`/strict.html?${await query('student-csp')}`);
    await waitForPhase(student.page, 'waiting', 'waiting');
    expect(await hostStyle(student.page)).toEqual({ padding: '16px', radius: '12px' });
    expect(await student.page.evaluate(() => document.querySelector('livekit-waiting-room')?.shadowRoot?.adoptedStyleSheets.length)).toBe(1);
    const counselor = await session.open('counselor-csp', 'counselor');
    await session.waitUntilActive(['student-csp', 'counselor-csp']);
    await session.activate();
    await Promise.all([waitForPhase(student.page, 'active', 'call'), waitForPhase(counselor.page, 'active', 'call')]);
    await waitForRemoteVideoFrames(student.page);
    expect(await cspViolations(student.page)).toEqual([]);

    const fallback = await open(`/strict-nonce.html?${await query('student-nonce', { nonce: NONCE })}`, WITHOUT_ADOPTED_STYLESHEETS);
    await waitForPhase(fallback.page, 'active', 'call');
    expect(await hostStyle(fallback.page)).toEqual({ padding: '16px', radius: '12px' });
    expect(await fallback.page.evaluate(() => Boolean(document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector('style')))).toBe(true);
    expect(await cspViolations(fallback.page)).toEqual([]);

    // The policy is really enforced: the same fallback without the nonce is refused, and shows unstyled.
    const refused = await open(`/strict.html?${await query('student-refused')}`, WITHOUT_ADOPTED_STYLESHEETS);
    await refused.page.waitForFunction(() => (window as unknown as { lwrCspViolations: unknown[] }).lwrCspViolations.length > 0, undefined, { timeout: 10_000 });
    expect((await cspViolations(refused.page))[0]?.directive).toMatch(/^style-src/);
    expect(await hostStyle(refused.page)).toEqual({ padding: '0px', radius: '0px' });
  });

  it('properties set before the definition loads are kept, and a new tokenSource never restarts the call: the next connect reads it', async () => {
    const session = await newSession();
    const counselor = await open(`/upgrade.html?${new URLSearchParams({ token: await session.token('counselor-up', 'counselor'), 'server-url': process.env.LIVEKIT_URL ?? '' }).toString()}`);
    await waitForPhase(counselor.page, 'waiting', 'waiting');
    expect(await counselor.page.evaluate(() => (window as unknown as { lwrDefinedWhenSet: boolean }).lwrDefinedWhenSet)).toBe(false);
    expect(await shadowText(counselor.page, 'heading')).toBe('Your client will be here soon');
    expect(await counselor.page.evaluate(() => document.querySelector('livekit-waiting-room')?.getAttribute('participant-role'))).toBe('counselor');

    // A framework re-rendering with an inline function: nothing restarts, in the waiting room or in the call.
    const setInline = (name: string) =>
      counselor.page.evaluate((name) => {
        const widget = document.querySelector('livekit-waiting-room') as HTMLElement & { tokenSource: unknown; phase: string };
        widget.tokenSource = (window as unknown as { lwrSource(name: string): unknown }).lwrSource(name);
        return widget.phase;
      }, name);
    for (const render of ['render-1', 'render-2', 'render-3']) expect(await setInline(render)).toBe('waiting');
    const student = await session.open('student-up', 'student');
    await session.waitUntilActive(['student-up', 'counselor-up']);
    await session.activate();
    await Promise.all([waitForPhase(student.page, 'active', 'call'), waitForPhase(counselor.page, 'active', 'call')]);
    expect(await setInline('in-call')).toBe('active');
    expect((await events(counselor.page)).map((event) => event.type)).toEqual(['waiting', 'session-started']);
    expect(await counselor.page.evaluate(() => (window as unknown as { lwrTokenCalls: string[] }).lwrTokenCalls)).toEqual(['first']);

    await counselor.page.evaluate(() => (document.querySelector('livekit-waiting-room') as HTMLElement & { leave(): Promise<void> }).leave());
    await waitForPhase(counselor.page, 'ended', 'ended');
    await counselor.page.evaluate(() => (document.querySelector('livekit-waiting-room') as HTMLElement & { retry(): void }).retry());
    await waitForPhase(counselor.page, 'active', 'call');
    expect(await counselor.page.evaluate(() => (window as unknown as { lwrTokenCalls: string[] }).lwrTokenCalls)).toEqual(['first', 'in-call']);
  });

  it('with nothing to connect with it says so, emits not-configured and captures nothing; a tokenSource set later starts it', async () => {
    const session = await newSession();
    const student = await open('/harness.html?participant-role=student');
    await waitForPhase(student.page, 'failed', 'waiting');
    const error = (await events(student.page)).find((event) => event.type === 'error');
    expect(error?.detail).toMatchObject({ code: 'not-configured', fatal: true });
    expect(await shadowText(student.page, 'error')).toBe('This page has not set up the session yet.');
    expect(await obtainedTracks(student.page)).toEqual([]);

    const token = await session.token('student-late', 'student');
    await student.page.evaluate(([token, url]) => {
      (document.querySelector('livekit-waiting-room') as HTMLElement & { tokenSource: unknown }).tokenSource = () => Promise.resolve({ token, url });
    }, [token, process.env.LIVEKIT_URL ?? ''] as const);
    await waitForPhase(student.page, 'waiting', 'waiting');
    expect(await widgetPhase(student.page)).toBe('waiting');
  });
});
