// Page helpers for the widget's e2e tests: a harness page that puts one <livekit-waiting-room>
// on a page from query parameters, and probes that read the element's shadow DOM and the
// page's WebRTC stats. Every wait polls inside the page with a deadline; nothing sleeps.

import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Loads the script-tag bundle, as a clinic portal would. */
export const HARNESS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>widget harness</title></head>
<body style="margin:16px;background:#f4f6f7">
<script src="/widget/livekit-waiting-room.js"></script>
<script>
  const params = new URLSearchParams(location.search);
  const widget = document.createElement('livekit-waiting-room');
  for (const [name, value] of params) {
    if (['participant-role', 'lang', 'dir', 'token', 'server-url', 'token-url', 'end-url'].includes(name) || name.startsWith('text-')) widget.setAttribute(name, value);
  }
  document.body.append(widget);
</script>
</body></html>`;

/**
 * Runs before any page script: records the widget's events (in the capture phase at window, which
 * sees them whether they bubble or not: `error` does not), records any CustomEvent that reaches a
 * window-level `error` listener the way an error tracker's would, keeps every RTCPeerConnection
 * so a test can read its stats, and counts the data-channel messages the page receives, so a test
 * knows a data packet has arrived.
 */
const INSTRUMENT_PAGE = `
  window.lwrEvents = [];
  window.lwrPrefixedEvents = [];
  for (const type of ['waiting', 'session-started', 'session-ended', 'end-requested', 'error']) {
    window.addEventListener(type, (event) => {
      if (event.target && event.target.localName === 'livekit-waiting-room') window.lwrEvents.push({ type, detail: JSON.parse(JSON.stringify(event.detail ?? null)), at: Date.now() });
    }, { capture: true });
    window.addEventListener('lwr-' + type, (event) => {
      if (event.target && event.target.localName === 'livekit-waiting-room') window.lwrPrefixedEvents.push(event.type);
    }, { capture: true });
  }
  window.lwrWindowErrors = [];
  window.addEventListener('error', (event) => {
    if (event instanceof CustomEvent) window.lwrWindowErrors.push(event.detail);
  });
  // Every camera, microphone and screen track the page obtains, clones included, by where it came
  // from: the device tests check that none is still live after the call ends. Every request is
  // counted too, answered or not: an observer's page must never ask for a device.
  window.lwrTracks = [];
  window.lwrMediaRequests = { getUserMedia: 0, getDisplayMedia: 0 };
  const keep = (origin, track) => { window.lwrTracks.push({ origin, track }); return track; };
  for (const method of ['getUserMedia', 'getDisplayMedia']) {
    const devices = navigator.mediaDevices;
    const native = devices && devices[method];
    if (!native) continue;
    devices[method] = async function (...args) {
      window.lwrMediaRequests[method] += 1;
      const stream = await native.apply(this, args);
      for (const track of stream.getTracks()) keep(method, track);
      return stream;
    };
  }
  const nativeClone = MediaStreamTrack.prototype.clone;
  MediaStreamTrack.prototype.clone = function () { return keep('clone', nativeClone.call(this)); };
  window.lwrCspViolations = [];
  document.addEventListener('securitypolicyviolation', (event) => window.lwrCspViolations.push({ directive: event.violatedDirective, blocked: event.blockedURI }));
  window.lwrPeerConnections = [];
  window.lwrDataMessages = 0;
  const count = (channel) => channel.addEventListener('message', () => { window.lwrDataMessages += 1; });
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.lwrPeerConnections.push(this);
      this.addEventListener('datachannel', (event) => count(event.channel));
    }
    createDataChannel(...args) { const channel = super.createDataChannel(...args); count(channel); return channel; }
  };
`;

export interface WidgetPage {
  page: Page;
  context: BrowserContext;
  close(): Promise<void>;
}

export interface OpenPageOptions {
  /** Permissions the context grants (camera, microphone). */
  permissions?: string[];
  /** Runs before any page script, after the instrumentation. */
  initScript?: string;
  /** Called with the new context before the page loads (routes, WebSocket routes). */
  prepare?: (context: BrowserContext) => Promise<void>;
  /** The system colour scheme the page sees (prefers-color-scheme). @defaultValue 'light' */
  colorScheme?: 'light' | 'dark';
}

/** Opens `url` in a fresh browser context (its own cookies and devices, like a second person). */
export async function openPage(browser: Browser, url: string, options: OpenPageOptions = {}): Promise<WidgetPage> {
  const context = await browser.newContext({ viewport: { width: 900, height: 760 }, permissions: options.permissions, colorScheme: options.colorScheme ?? 'light' });
  await context.addInitScript(INSTRUMENT_PAGE);
  if (options.initScript) await context.addInitScript(options.initScript);
  await options.prepare?.(context);
  const page = await context.newPage();
  await page.goto(url);
  return { page, context, close: () => context.close() };
}

/** Opens the harness page with the widget configured by `params` (its attributes). */
export function openWidget(browser: Browser, baseUrl: string, params: Record<string, string>, options: OpenPageOptions = {}): Promise<WidgetPage> {
  return openPage(browser, `${baseUrl}/harness.html?${new URLSearchParams(params).toString()}`, options);
}

export type Section = 'waiting' | 'call' | 'ended';

/** Waits until the element reports `phase` and shows exactly that section. */
export async function waitForPhase(page: Page, phase: string, section: Section, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    ([phase, section]) => {
      const widget = document.querySelector('livekit-waiting-room') as (HTMLElement & { phase: string }) | null;
      const root = widget?.shadowRoot;
      if (!widget || !root || widget.phase !== phase) return false;
      return ['waiting', 'call', 'ended'].every((name) => (root.querySelector(`[data-ref="${name}"]`) as HTMLElement).hidden === (name !== section));
    },
    [phase, section] as const,
    { timeout, polling: 50 },
  );
}

/** Text of an element inside the widget's shadow root, by its data-ref. */
export function shadowText(page: Page, ref: string): Promise<string> {
  return page.evaluate((ref) => document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector(`[data-ref="${ref}"]`)?.textContent ?? '', ref);
}

export function events(page: Page): Promise<{ type: string; detail: Record<string, unknown>; at: number }[]> {
  return page.evaluate(() => (window as unknown as { lwrEvents: { type: string; detail: Record<string, unknown>; at: number }[] }).lwrEvents);
}

/** The local camera preview shows frames (fake device here), so a screenshot has a picture. */
export async function waitForPreview(page: Page, timeout = 15_000): Promise<void> {
  await page.waitForFunction(
    () => ((document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector('[data-ref="preview"]') as HTMLVideoElement | null)?.videoWidth ?? 0) > 0,
    undefined,
    { timeout, polling: 100 },
  );
}

/** The remote <video> has real decoded frames: a size, and its clock moves on. */
export async function waitForRemoteVideoFrames(page: Page, timeout = 20_000): Promise<{ width: number; height: number }> {
  const waiting = page.waitForFunction(
    () => {
      const video = document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector('[data-ref="remote-video"]') as HTMLVideoElement | null;
      if (!video || video.videoWidth === 0) return false;
      const quality = video.getVideoPlaybackQuality();
      const state = window as unknown as { lwrFirst?: { time: number; frames: number } };
      state.lwrFirst ??= { time: video.currentTime, frames: quality.totalVideoFrames };
      const moved = video.currentTime > state.lwrFirst.time + 0.5 && quality.totalVideoFrames > state.lwrFirst.frames + 5;
      return moved && { width: video.videoWidth, height: video.videoHeight };
    },
    undefined,
    { timeout, polling: 100 },
  );
  const handle = await waiting.catch(async (error: unknown) => {
    throw new Error(`remote video shows no moving frames: ${JSON.stringify(await remoteVideoState(page))}`, { cause: error });
  });
  return (await handle.jsonValue()) as { width: number; height: number };
}

/** What the remote <video> is doing, for a failure message that says why. */
function remoteVideoState(page: Page): Promise<unknown> {
  return page.evaluate(() => {
    const video = document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector('[data-ref="remote-video"]') as HTMLVideoElement | null;
    const stream = video?.srcObject as MediaStream | null | undefined;
    return {
      phase: (document.querySelector('livekit-waiting-room') as (HTMLElement & { phase: string }) | null)?.phase,
      found: Boolean(video),
      width: video?.videoWidth,
      readyState: video?.readyState,
      paused: video?.paused,
      currentTime: video?.currentTime,
      tracks: stream?.getTracks().map((track) => ({ kind: track.kind, readyState: track.readyState, muted: track.muted, enabled: track.enabled })) ?? null,
    };
  });
}

/** Widget `error` events that reached a bubbling-phase `error` listener on window (should be none). */
export function windowErrorEvents(page: Page): Promise<unknown[]> {
  return page.evaluate(() => (window as unknown as { lwrWindowErrors: unknown[] }).lwrWindowErrors);
}

/** The text the widget's polite live region holds now. */
export function liveRegionText(page: Page): Promise<string> {
  return shadowText(page, 'live');
}

/** Waits until the widget's live region says `text` (it announces after a short delay, so a repeat is read again). */
export async function waitForAnnouncement(page: Page, text: string, timeout = 5_000): Promise<void> {
  await page
    .waitForFunction((text) => document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector('[data-ref="live"]')?.textContent === text, text, { timeout, polling: 20 })
    .catch(async (error: unknown) => {
      throw new Error(`live region never said "${text}" (it says "${await liveRegionText(page)}")`, { cause: error });
    });
}

/** The data-ref of the element focused inside the widget's shadow root, or null. */
export function focusedRef(page: Page): Promise<string | null> {
  return page.evaluate(() => (document.querySelector('livekit-waiting-room')?.shadowRoot?.activeElement as HTMLElement | null | undefined)?.dataset.ref ?? null);
}

/** Presses Tab until focus lands on the widget's `ref` (a real keyboard, no scripted focus); throws after `maxPresses`. */
export async function tabTo(page: Page, ref: string, maxPresses = 10): Promise<void> {
  const seen: (string | null)[] = [];
  for (let press = 0; press < maxPresses; press += 1) {
    await page.keyboard.press('Tab');
    const focused = await focusedRef(page);
    if (focused === ref) return;
    seen.push(focused);
  }
  throw new Error(`Tab never reached ${ref}; focus went through: ${seen.join(', ')}`);
}

/** Computed outline of the element focused inside the widget. */
export function focusOutline(page: Page): Promise<{ style: string; width: string; color: string } | null> {
  return page.evaluate(() => {
    const focused = document.querySelector('livekit-waiting-room')?.shadowRoot?.activeElement;
    if (!focused) return null;
    const style = getComputedStyle(focused);
    return { style: style.outlineStyle, width: style.outlineWidth, color: style.outlineColor };
  });
}

export function dataMessagesReceived(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { lwrDataMessages: number }).lwrDataMessages);
}

/** Waits until the page has received `count` more data-channel messages than `before`, then lets the SDK's handlers run. */
export async function waitForDataMessage(page: Page, before: number, timeout = 10_000, count = 1): Promise<void> {
  await page.waitForFunction((target) => (window as unknown as { lwrDataMessages: number }).lwrDataMessages >= target, before + count, { timeout, polling: 20 });
  // One macrotask turn in the page: livekit-client decodes and emits DataReceived in microtasks after the message event.
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
}

/** Sum of inbound-rtp bytesReceived of one kind over the page's peer connections. */
export function inboundBytes(page: Page, kind: 'audio' | 'video'): Promise<number> {
  return page.evaluate(async (kind) => {
    let total = 0;
    for (const pc of (window as unknown as { lwrPeerConnections: RTCPeerConnection[] }).lwrPeerConnections) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((report: { type: string; kind?: string; bytesReceived?: number }) => {
        if (report.type === 'inbound-rtp' && report.kind === kind) total += report.bytesReceived ?? 0;
      });
    }
    return total;
  }, kind);
}

const inboundAudioBytes = (page: Page): Promise<number> => inboundBytes(page, 'audio');

/** Waits until inbound audio has grown by `bytes` past its current count. */
export async function waitForAudioFlowing(page: Page, bytes = 4_000, timeout = 20_000): Promise<{ before: number; after: number }> {
  const before = await inboundAudioBytes(page);
  const deadline = Date.now() + timeout;
  for (;;) {
    const after = await inboundAudioBytes(page);
    if (after >= before + bytes) return { before, after };
    if (Date.now() > deadline) throw new Error(`inbound audio stuck at ${after} bytes (was ${before})`);
    await page.waitForTimeout(200);
  }
}

/** Screenshot of the widget alone, under artifacts/screenshots/ (git-ignored). */
export async function screenshotWidget(page: Page, name: string): Promise<string> {
  const dir = path.resolve(__dirname, '..', '..', 'artifacts', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.locator('livekit-waiting-room').screenshot({ path: file });
  return file;
}

/** Clicks a control inside the widget's shadow root by its data-ref (Playwright's CSS pierces open shadow roots). */
export async function clickInWidget(page: Page, ref: string): Promise<void> {
  await page.locator(`livekit-waiting-room [data-ref="${ref}"]`).click();
}

/** An attribute of an element inside the widget's shadow root, by data-ref. */
export function shadowAttribute(page: Page, ref: string, name: string): Promise<string | null> {
  return page.evaluate(([ref, name]) => document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector(`[data-ref="${ref}"]`)?.getAttribute(name) ?? null, [ref, name] as const);
}

/** Waits until the element with `ref` inside the widget is shown (or hidden) and returns its text. */
export async function waitForShown(page: Page, ref: string, shown = true, timeout = 15_000): Promise<string> {
  await page
    .waitForFunction(
      ([ref, shown]) => {
        const node = document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector(`[data-ref="${ref}"]`) as HTMLElement | null;
        return node !== null && node.hidden !== shown;
      },
      [ref, shown] as const,
      { timeout, polling: 50 },
    )
    .catch((error: unknown) => {
      throw new Error(`${ref} never became ${shown ? 'shown' : 'hidden'}`, { cause: error });
    });
  return shadowText(page, ref);
}

/** Decoded frames of the remote <video> so far. */
export function remoteFrames(page: Page): Promise<number> {
  return page.evaluate(() => {
    const video = document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector('[data-ref="remote-video"]') as HTMLVideoElement | null;
    return video?.getVideoPlaybackQuality().totalVideoFrames ?? 0;
  });
}

/**
 * Arms a callback for the remote <video>'s first presented frame; `firstRemoteFrameAt` reads its
 * epoch ms (null until then). Arm it before the start: the element is in the template all along.
 */
export async function armFirstRemoteFrame(page: Page): Promise<void> {
  await page.evaluate(() => {
    const video = document.querySelector('livekit-waiting-room')?.shadowRoot?.querySelector('[data-ref="remote-video"]') as HTMLVideoElement;
    const state = window as unknown as { lwrFirstFrameAt: number | null };
    state.lwrFirstFrameAt = null;
    video.requestVideoFrameCallback((now) => {
      state.lwrFirstFrameAt = performance.timeOrigin + now;
    });
  });
}

export async function firstRemoteFrameAt(page: Page, timeout = 20_000): Promise<number> {
  const handle = await page.waitForFunction(() => (window as unknown as { lwrFirstFrameAt: number | null }).lwrFirstFrameAt, undefined, { timeout, polling: 50 });
  return (await handle.jsonValue()) as number;
}

/** axe-core (from node_modules) on the widget: the violations, by rule id and count of nodes. */
async function axeViolations(page: Page): Promise<{ id: string; nodes: number; help: string }[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: unknown): Promise<{ violations: { id: string; help: string; nodes: unknown[] }[] }> } }).axe;
    const result = await axe.run({ include: [['livekit-waiting-room']] });
    return result.violations.map((violation) => ({ id: violation.id, nodes: violation.nodes.length, help: violation.help }));
  });
}

/** Fails with the violations axe-core finds on the widget in `state`, and records the count (0 when it passes). */
export async function expectNoAxeViolations(page: Page, state: string, counts: Record<string, number>): Promise<void> {
  const violations = await axeViolations(page);
  counts[state] = violations.length;
  expect([state, violations]).toEqual([state, []]);
}

/**
 * A widget screenshot that the README shows: written under artifacts/ on every run, and copied
 * over docs/screenshots only with UPDATE_SCREENSHOTS=1, so a test run leaves the work tree alone.
 */
export async function readmeScreenshot(page: Page, name: string): Promise<void> {
  const file = await screenshotWidget(page, name);
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  const docs = path.resolve(__dirname, '..', '..', 'docs', 'screenshots');
  mkdirSync(docs, { recursive: true });
  copyFileSync(file, path.join(docs, `${name}.png`));
}

export interface ObtainedTrack {
  origin: 'getUserMedia' | 'getDisplayMedia' | 'clone';
  kind: string;
  readyState: MediaStreamTrackState;
}

/** Every track the page has obtained so far (recorded by the init script, not read from the widget). */
export function obtainedTracks(page: Page): Promise<ObtainedTrack[]> {
  return page.evaluate(() =>
    (window as unknown as { lwrTracks: { origin: ObtainedTrack['origin']; track: MediaStreamTrack }[] }).lwrTracks.map(({ origin, track }) => ({ origin, kind: track.kind, readyState: track.readyState })),
  );
}

/** How many times the page asked for a camera or microphone (getUserMedia) and for a screen (getDisplayMedia), answered or not. */
export function mediaRequests(page: Page): Promise<{ getUserMedia: number; getDisplayMedia: number }> {
  return page.evaluate(() => (window as unknown as { lwrMediaRequests: { getUserMedia: number; getDisplayMedia: number } }).lwrMediaRequests);
}

/**
 * Waits until the page has obtained at least `atLeast` tracks and none of them is live; returns
 * the page's clock (epoch ms) at that moment, to compare with when the end showed.
 */
export async function devicesReleasedAt(page: Page, atLeast = 2, timeout = 5_000): Promise<number> {
  const handle = await page
    .waitForFunction(
      (atLeast) => {
        const tracks = (window as unknown as { lwrTracks: { track: MediaStreamTrack }[] }).lwrTracks;
        return tracks.length >= atLeast && tracks.every(({ track }) => track.readyState === 'ended') && Date.now();
      },
      atLeast,
      { timeout, polling: 20 },
    )
    .catch(async (error: unknown) => {
      throw new Error(`devices still live: ${JSON.stringify(await obtainedTracks(page))}`, { cause: error });
    });
  return (await handle.jsonValue()) as number;
}

/** What the page's Content-Security-Policy refused so far (directive and blocked resource). */
export function cspViolations(page: Page): Promise<{ directive: string; blocked: string }[]> {
  return page.evaluate(() => (window as unknown as { lwrCspViolations: { directive: string; blocked: string }[] }).lwrCspViolations);
}

/** The element's phase (its read-only `phase` property). */
export function widgetPhase(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (document.querySelector('livekit-waiting-room') as (HTMLElement & { phase: string }) | null)?.phase);
}

/** The types of the widget's `lwr-` prefixed events so far, in order. */
export function prefixedEvents(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { lwrPrefixedEvents: string[] }).lwrPrefixedEvents);
}
