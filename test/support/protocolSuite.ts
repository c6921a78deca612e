// The frame of a widget e2e suite in which the test plays the service's part: the widget built
// into a folder of the suite's own (other suites build at the same time), the harness page on a
// loopback static server, one Chromium, LiveKit's server API, and pages closed after each test.
// Call it at the top of a test file; it registers the suite's hooks.

import path from 'node:path';
import { dispose as disposeNodeRtc } from '@livekit/rtc-node';
import { RoomServiceClient } from 'livekit-server-sdk';
import type { Browser } from 'playwright-core';
import { buildWidget } from '../../scripts/build-widget';
import { launchChromium, startStaticServer, type ServedPage, type StaticServer } from '../../scripts/shared/browser';
import { newProtocolSession, type ProtocolSession } from './protocolSession';
import { HARNESS_HTML, type WidgetPage } from './widgetPage';

export interface ProtocolSuite {
  readonly livekitUrl: string;
  readonly rooms: RoomServiceClient;
  /** The static server's base URL (available from beforeAll on). */
  siteUrl(): string;
  /** The suite's Chromium (available from beforeAll on). */
  browser(): Browser;
  /** A fresh room and session whose snapshot says waiting. */
  newSession(): Promise<ProtocolSession>;
}

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: the e2e global setup starts the stack and exports it`);
  return value;
}

/** `pages`: more pages the suite's static server serves beside the harness (path -> page). */
export function protocolSuite(name: string, options: { pages?: (livekitUrl: string) => Record<string, ServedPage> } = {}): ProtocolSuite {
  const livekitUrl = env('LIVEKIT_URL');
  const apiKey = env('LIVEKIT_API_KEY');
  const apiSecret = env('LIVEKIT_API_SECRET');
  const rooms = new RoomServiceClient(livekitUrl.replace(/^ws/, 'http'), apiKey, apiSecret);
  let browser: Browser | undefined;
  let site: StaticServer | undefined;
  const opened: WidgetPage[] = [];

  beforeAll(async () => {
    const { bundlePath } = await buildWidget({ outDir: path.resolve(__dirname, '..', '..', 'dist', `widget-e2e-${name}`), declarations: false });
    site = await startStaticServer({ pages: { '/harness.html': HARNESS_HTML, ...options.pages?.(livekitUrl) }, mounts: { '/widget/': path.dirname(bundlePath) } });
    browser = await launchChromium();
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((page) => page.close()));
  });

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    // rtc-node's native client keeps the worker alive until disposed.
    await disposeNodeRtc();
  });

  const started = (): { browser: Browser; site: StaticServer } => {
    if (!browser || !site) throw new Error('the suite has not started: call protocolSuite() at the top of the test file');
    return { browser, site };
  };
  return {
    livekitUrl,
    rooms,
    browser: () => started().browser,
    siteUrl: () => started().site.url,
    newSession: () => {
      const { browser, site } = started();
      return newProtocolSession({ rooms, apiKey, apiSecret, livekitUrl, siteUrl: site.url, browser, opened });
    },
  };
}
