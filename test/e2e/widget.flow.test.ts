// The whole product as people use it: the demo clinic portal creates a session through the
// service's clinic API, a student and a counselor open their links in real Chromium, LiveKit's
// webhooks reach the service, and the service starts the session in both widgets.

import path from 'node:path';
import { dispose as disposeNodeRtc, Room as NodeRoom } from '@livekit/rtc-node';
import { AccessToken, ParticipantInfo_State, RoomServiceClient } from 'livekit-server-sdk';
import type { Browser, Page } from 'playwright-core';
import { encodeMessage, TOPIC } from '../../plugin/protocol';
import { startPortal, type Portal } from '../../demo/portalServer';
import { buildWidget } from '../../scripts/build-widget';
import { launchChromium } from '../../scripts/shared/browser';
import { createClinicClient, must } from '../../webhook-service/client';
import {
  dataMessagesReceived, events, expectNoAxeViolations, openPage, readmeScreenshot, screenshotWidget, shadowText, waitForAnnouncement, waitForAudioFlowing,
  waitForDataMessage, waitForPhase, waitForPreview, waitForRemoteVideoFrames, type WidgetPage,
} from '../support/widgetPage';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the e2e global setup starts the stack and the service and exports it`);
  return value;
};

const serviceUrl = env('SERVICE_URL');
const clinicApiToken = env('CLINIC_API_TOKEN');
const livekitUrl = env('LIVEKIT_URL');
const rooms = new RoomServiceClient(livekitUrl.replace(/^ws/, 'http'), env('LIVEKIT_API_KEY'), env('LIVEKIT_API_SECRET'));

let browser: Browser;
let portal: Portal;
const opened: WidgetPage[] = [];

jest.setTimeout(90_000);

beforeAll(async () => {
  // A folder of its own: other suites build the widget at the same time.
  const { bundlePath } = await buildWidget({ outDir: path.resolve(__dirname, '..', '..', 'dist', 'widget-e2e-flow'), declarations: false });
  portal = await startPortal({ clinicApiUrl: serviceUrl, clinicApiToken, widgetDir: path.dirname(bundlePath) });
  browser = await launchChromium();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((page) => page.close()));
});

afterAll(async () => {
  await browser?.close();
  await portal?.stop();
  await disposeNodeRtc();
});

/** Creates a session from the portal's home page, as a clinic user would, and returns its links. */
async function createSessionInPortal(): Promise<{ id: string; roomName: string; studentUrl: string; counselorUrl: string }> {
  const home = await openPage(browser, `${portal.url}/`);
  opened.push(home);
  const created = home.page.waitForResponse((response) => response.url().endsWith('/api/sessions') && response.request().method() === 'POST');
  await home.page.getByRole('button', { name: 'Create a session' }).click();
  const body = (await (await created).json()) as { id: string; roomName: string };
  const studentUrl = new URL((await home.page.locator('#student-link').getAttribute('href')) ?? '', portal.url).href;
  const counselorUrl = new URL((await home.page.locator('#counselor-link').getAttribute('href')) ?? '', portal.url).href;
  return { ...body, studentUrl, counselorUrl };
}

async function open(url: string): Promise<WidgetPage> {
  const page = await openPage(browser, url);
  opened.push(page);
  return page;
}

async function serviceRecord(id: string): Promise<{ status: string; actualStart: string | null }> {
  return must(await createClinicClient({ baseUrl: serviceUrl, token: clinicApiToken }).getSession(id));
}

const startedAt = async (page: Page): Promise<number> => {
  const started = (await events(page)).find((event) => event.type === 'session-started');
  if (!started) throw new Error('no session-started event');
  return started.at;
};

const axeCounts: Record<string, number> = {};
afterAll(() => console.log(`axe-core violations per state: ${Object.entries(axeCounts).map(([state, count]) => `${state} ${count}`).join(', ')}`));

describe('the waiting-room widget through the portal and the service', () => {
  it('when the counselor joins a waiting student, both waiting rooms give way to the call and the service records the session active', async () => {
    const session = await createSessionInPortal();
    const student = await open(session.studentUrl);
    await waitForPhase(student.page, 'waiting', 'waiting');
    expect(await shadowText(student.page, 'heading')).toBe('Waiting for your counselor');
    expect((await serviceRecord(session.id)).status).toBe('waiting');
    await waitForPreview(student.page);
    await screenshotWidget(student.page, 'flow-waiting');

    const counselorOpened = Date.now();
    const counselor = await open(session.counselorUrl.replace('lang=en', 'lang=es'));
    await Promise.all([waitForPhase(student.page, 'active', 'call', 10_000), waitForPhase(counselor.page, 'active', 'call', 10_000)]);
    // From the counselor opening the page (load, token, connect, webhook, activation) to both starts.
    const lastStart = Math.max(await startedAt(student.page), await startedAt(counselor.page));
    // A figure to read, not a bound to assert: on a shared 2-core machine wall-clock bounds flake
    // (`npm run bench` measures the start latency); the phase waits above fail a start that never comes.
    console.log(`counselor page open -> both started: ${lastStart - counselorOpened} ms`);
    expect(lastStart).toBeGreaterThanOrEqual(counselorOpened);

    expect(await shadowText(student.page, 'system-message')).toBe('Your session has started');
    expect(await shadowText(counselor.page, 'system-message')).toBe('Tu sesión ha comenzado');
    await waitForAnnouncement(student.page, 'Your session has started');
    await waitForAnnouncement(counselor.page, 'Tu sesión ha comenzado');
    const record = await serviceRecord(session.id);
    expect(record.status).toBe('active');
    expect(record.actualStart).not.toBeNull();
    const detail = (await events(student.page)).find((event) => event.type === 'session-started')?.detail;
    expect(detail).toMatchObject({ sessionId: session.id });

    for (const { page } of [student, counselor]) {
      expect((await waitForRemoteVideoFrames(page)).width).toBeGreaterThan(0);
      const audio = await waitForAudioFlowing(page);
      expect(audio.after).toBeGreaterThan(audio.before);
    }
    await screenshotWidget(student.page, 'flow-started');
    await screenshotWidget(counselor.page, 'flow-started-es');

    // Reload: leave and rejoin. The snapshot in the room metadata skips the waiting room at once.
    await student.page.reload();
    await waitForPhase(student.page, 'active', 'call');
    expect((await events(student.page)).map((event) => event.type)).not.toContain('waiting');
    await waitForRemoteVideoFrames(student.page);
    expect((await serviceRecord(session.id)).status).toBe('active');

    await student.page.getByRole('button', { name: 'Leave session' }).click();
    await waitForPhase(student.page, 'ended', 'ended');
    expect(await shadowText(student.page, 'ended-heading')).toBe('You left the session');
    await screenshotWidget(student.page, 'flow-left');
  });

  it('a second device takes over, and the counselor\'s "End session for everyone" ends it on every page, reloads included', async () => {
    const session = await createSessionInPortal();
    const student = await open(session.studentUrl);
    const counselor = await open(session.counselorUrl);
    await Promise.all([waitForPhase(student.page, 'active', 'call', 15_000), waitForPhase(counselor.page, 'active', 'call', 15_000)]);
    // Only the counselor is offered the button (the portal gives the counselor's page an end-url).
    expect(await student.page.evaluate(() => (document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector('[data-ref="end"]') as HTMLElement).hidden)).toBe(true);

    // The student joins again from a second device: the first one says where the session went.
    const secondDevice = await open(session.studentUrl);
    await waitForPhase(secondDevice.page, 'active', 'call');
    await waitForPhase(student.page, 'ended', 'ended');
    expect(await shadowText(student.page, 'ended-heading')).toBe('This session continues on your other device');
    // Not "Session over" anywhere on that page: the session goes on.
    expect(await shadowText(student.page, 'status')).toBe('On your other device');
    expect((await events(student.page)).find((event) => event.type === 'session-ended')?.detail).toMatchObject({ reason: 'replaced' });
    await expectNoAxeViolations(student.page, 'ended: replaced', axeCounts);

    await counselor.page.getByRole('button', { name: 'End session for everyone' }).click();
    expect(await shadowText(counselor.page, 'confirm-text')).toBe('End the session for both of you?');
    const ended = counselor.page.waitForResponse((response) => response.url().endsWith('/end') && response.request().method() === 'POST');
    await counselor.page.getByRole('button', { name: 'End session', exact: true }).click();
    expect((await ended).status()).toBe(200);
    for (const { page } of [secondDevice, counselor]) {
      await waitForPhase(page, 'ended', 'ended');
      expect(await shadowText(page, 'ended-heading')).toBe('The session has ended');
      expect((await events(page)).find((event) => event.type === 'session-ended')?.detail).toMatchObject({ sessionId: session.id, reason: 'ended-by-clinic' });
    }
    expect((await events(counselor.page)).map((event) => event.type)).toContain('end-requested');
    expect((await serviceRecord(session.id)).status).toBe('ended');
    await expectNoAxeViolations(counselor.page, 'ended: ended-by-clinic', axeCounts);
    await readmeScreenshot(counselor.page, 'widget-ended');

    // A reload after the end: the token is refused (409 session_ended) and the page says the session ended.
    await counselor.page.reload();
    await waitForPhase(counselor.page, 'ended', 'ended');
    expect(await shadowText(counselor.page, 'ended-heading')).toBe('The session has ended');
    expect((await events(counselor.page)).map((event) => event.type)).toEqual(['session-ended']);
  });

  it('a third participant publishing a look-alike session_started does not start a waiting session', async () => {
    const session = await createSessionInPortal();
    const student = await open(session.studentUrl);
    await waitForPhase(student.page, 'waiting', 'waiting');

    const grant = new AccessToken(env('LIVEKIT_API_KEY'), env('LIVEKIT_API_SECRET'), { identity: 'intruder', ttl: '5m' });
    grant.addGrant({ roomJoin: true, room: session.roomName, canPublishData: true });
    const intruder = new NodeRoom();
    await intruder.connect(livekitUrl, await grant.toJwt());
    try {
      const deadline = Date.now() + 10_000;
      while (!(await rooms.listParticipants(session.roomName)).some((p) => p.identity === 'intruder' && p.state === ParticipantInfo_State.ACTIVE)) {
        if (Date.now() > deadline) throw new Error('intruder never became active');
        await new Promise((resolve) => setImmediate(resolve));
      }
      const before = await dataMessagesReceived(student.page);
      const forged = encodeMessage({ v: 1, type: 'session_started', messageId: 'forged-flow', sessionId: session.id, startedAt: new Date().toISOString() });
      await intruder.localParticipant?.publishData(forged, { reliable: true, topic: TOPIC });
      await waitForDataMessage(student.page, before);
      expect(await student.page.evaluate(() => document.querySelector('livekit-waiting-room')?.phase)).toBe('waiting');
      expect((await events(student.page)).map((event) => event.type)).toEqual(['waiting']);
      expect((await serviceRecord(session.id)).status).toBe('waiting');
    } finally {
      await intruder.disconnect();
    }
  });
});
