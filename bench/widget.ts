// Widget figures: the minified+gzipped size of the script-tag bundle and of the widget's own
// code, and in Debian's Chromium the time from starting to load the script tag to the waiting
// room on screen (connected to LiveKit, waiting for the other person), and the time from the
// session's start to the other party's first video frame on each page: nothing is published or
// received in the waiting room, so this is what holding media back until the start costs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildWidget } from '../scripts/build-widget';
import type { StackEndpoints } from '../scripts/stack';
import { launchChromium, startStaticServer } from '../scripts/shared/browser';
import type { Browser, BrowserContext } from 'playwright-core';
import { createClinicClient, must, type ClinicClient } from '../webhook-service/client';
import { percentile } from './requests';

const gzipKB = (file: string): number => gzipSync(readFileSync(file), { level: 9 }).length / 1024;

/** The page times itself: from inserting the script tag to the waiting section being shown. */
const TIMING_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>widget timing</title></head><body>
<script>
  const params = new URLSearchParams(location.search);
  window.lwrTiming = new Promise((resolve) => {
    const startedAt = performance.now();
    const script = document.createElement('script');
    script.src = '/widget/livekit-waiting-room.js';
    script.onload = () => {
      const widget = document.createElement('livekit-waiting-room');
      widget.setAttribute('participant-role', 'student');
      widget.setAttribute('server-url', params.get('url'));
      widget.setAttribute('token', params.get('token'));
      document.body.append(widget);
      const check = () => {
        const waiting = widget.shadowRoot && widget.shadowRoot.querySelector('[data-ref="waiting"]');
        if (widget.phase === 'waiting' && waiting && !waiting.hidden) resolve(performance.now() - startedAt);
        else requestAnimationFrame(check);
      };
      check();
    };
    document.head.append(script);
  });
</script></body></html>`;

/**
 * A student or counselor page of a real session: the page records, on its own clock, when the
 * widget announces `session-started` and when the remote <video> presents its first frame.
 */
const CALL_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>widget start timing</title></head><body>
<script src="/widget/livekit-waiting-room.js"></script>
<script>
  const params = new URLSearchParams(location.search);
  const widget = document.createElement('livekit-waiting-room');
  widget.setAttribute('participant-role', params.get('role'));
  widget.setAttribute('server-url', params.get('url'));
  widget.setAttribute('token', params.get('token'));
  document.body.append(widget);
  window.lwrStart = new Promise((resolve) => {
    let startedAt = null;
    let frameAt = null;
    const done = () => startedAt !== null && frameAt !== null && resolve(frameAt - startedAt);
    widget.addEventListener('session-started', () => { startedAt = performance.now(); done(); });
    widget.shadowRoot.querySelector('[data-ref="remote-video"]').requestVideoFrameCallback((now) => { frameAt = now; done(); });
  });
</script></body></html>`;

export interface WidgetFigures {
  bundleGzipKB: number;
  widgetGzipKB: number;
  toWaitingRoom: { p50: number; max: number; runs: number };
  /** session-started -> the other party's first video frame, per page (two pages a run). */
  startToFirstFrame: { p50: number; max: number; pages: number };
}

export async function measureWidget(options: { service: { url: string; clinicToken: string }; stack: StackEndpoints; runs: number }): Promise<WidgetFigures> {
  // A folder of its own, so a test building the widget at the same time is not disturbed.
  const { bundlePath, modulePath } = await buildWidget({ outDir: path.resolve(__dirname, '..', 'dist', 'widget-bench'), declarations: false });
  const server = await startStaticServer({ pages: { '/timing.html': TIMING_PAGE, '/call.html': CALL_PAGE }, mounts: { '/widget/': path.dirname(bundlePath) } });
  const browser = await launchChromium();
  const api = createClinicClient({ baseUrl: options.service.url, token: options.service.clinicToken });
  const times: number[] = [];
  const firstFrames: number[] = [];
  try {
    for (let run = 0; run < options.runs; run += 1) {
      const tag = `${Date.now().toString(36)}-${run}`;
      const session = await api.createSession({ studentIdentity: `student-${tag}`, counselorIdentity: `counselor-${tag}` }).then(must);
      const { token, url } = await api.mintJoinToken(session.id, `student-${tag}`).then(must);
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${server.url}/timing.html?${new URLSearchParams({ token, url }).toString()}`);
      times.push(await page.evaluate(() => (window as unknown as { lwrTiming: Promise<number> }).lwrTiming));
      await context.close();
    }
    for (let run = 0; run < options.runs; run += 1) firstFrames.push(...(await startToFirstFrame(browser, server.url, api, run)));
  } finally {
    await browser.close();
    await server.stop();
  }
  return {
    bundleGzipKB: gzipKB(bundlePath),
    widgetGzipKB: gzipKB(modulePath),
    toWaitingRoom: { p50: percentile(times, 50), max: Math.max(...times), runs: times.length },
    startToFirstFrame: { p50: percentile(firstFrames, 50), max: Math.max(...firstFrames), pages: firstFrames.length },
  };
}

/** One session through the service: both pages wait, the service starts it, each page times its first remote frame. */
async function startToFirstFrame(browser: Browser, siteUrl: string, api: ClinicClient, run: number): Promise<number[]> {
  const tag = `${Date.now().toString(36)}-start-${run}`;
  const identities = { student: `student-${tag}`, counselor: `counselor-${tag}` };
  const session = await api.createSession({ studentIdentity: identities.student, counselorIdentity: identities.counselor }).then(must);
  const contexts = await Promise.all([browser.newContext(), browser.newContext()]);
  try {
    const pages = await Promise.all(
      (['student', 'counselor'] as const).map(async (role, index) => {
        const { token, url } = await api.mintJoinToken(session.id, identities[role]).then(must);
        const page = await (contexts[index] as BrowserContext).newPage();
        await page.goto(`${siteUrl}/call.html?${new URLSearchParams({ token, url, role }).toString()}`);
        return page;
      }),
    );
    return await Promise.all(pages.map((page) => page.evaluate(() => (window as unknown as { lwrStart: Promise<number> }).lwrStart)));
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
  }
}
