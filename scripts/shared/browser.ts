// Real Chromium for the widget's e2e tests and the widget benchmark: Debian's Chromium through playwright-core
// with fake camera and microphone, and a loopback static server for the built widget and the
// test pages. Chromium comes from CHROMIUM_PATH (default /usr/bin/chromium).

import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { listenOnLoopback, type LoopbackServer } from '../loopbackServer';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  // LiveKit's ICE candidates are loopback-only here; Chromium drops those unless told.
  '--allow-loopback-in-peer-connection',
];

/**
 * `answerPrompts: false` drops --use-fake-ui-for-media-stream: only the permissions a context
 * grants (`newContext({ permissions })`) are allowed, any other camera/microphone request is denied.
 */
export function launchChromium(options: { answerPrompts?: boolean } = {}): Promise<Browser> {
  const args = options.answerPrompts === false ? CHROMIUM_ARGS.filter((arg) => arg !== '--use-fake-ui-for-media-stream') : CHROMIUM_ARGS;
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args });
}

/**
 * A Chromium of its own that the test can freeze: SIGSTOP to its whole process group (Playwright
 * starts it as a group leader), so its pages send and answer nothing, signalling or media, as
 * when a laptop drops off the network; SIGCONT and it carries on. Chromium's offline emulation
 * (`context.setOffline`) cannot stand in: it leaves WebRTC's own sockets running.
 */
export async function launchFreezableChromium(): Promise<{ browser: Browser; freeze(): void; thaw(): void; close(): Promise<void> }> {
  const server = await chromium.launchServer({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const browser = await chromium.connect(server.wsEndpoint());
  const pid = server.process().pid;
  if (pid === undefined) throw new Error('Chromium has no pid');
  let frozen = false;
  const signal = (name: NodeJS.Signals) => process.kill(-pid, name);
  return {
    browser,
    freeze: () => {
      frozen = true;
      signal('SIGSTOP');
    },
    thaw: () => {
      frozen = false;
      signal('SIGCONT');
    },
    close: async () => {
      if (frozen) signal('SIGCONT');
      await browser.close();
      await server.close();
    },
  };
}

export type StaticServer = LoopbackServer;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.css': 'text/css; charset=utf-8',
};

/** A page served from memory: HTML as a string, or any body with its type and extra headers (a Content-Security-Policy). */
export type ServedPage = string | { body: string; type?: string; headers?: Record<string, string> };

/**
 * Serves `pages` (path -> HTML, or a body with its headers) and the files under each mounted
 * directory (`{ '/widget/': 'dist/widget' }`) on 127.0.0.1, port 0.
 */
export async function startStaticServer(options: { pages?: Record<string, ServedPage>; mounts?: Record<string, string> }): Promise<StaticServer> {
  const server: Server = createServer((request, response) => {
    void (async () => {
      const pathname = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
      const page = options.pages?.[pathname];
      if (page !== undefined) {
        const { body, type, headers } = typeof page === 'string' ? { body: page, type: TYPES['.html'], headers: {} } : page;
        response.writeHead(200, { 'content-type': type ?? TYPES['.html'], 'cache-control': 'no-store', ...headers }).end(body);
        return;
      }
      for (const [prefix, dir] of Object.entries(options.mounts ?? {})) {
        if (!pathname.startsWith(prefix)) continue;
        const file = path.resolve(dir, pathname.slice(prefix.length));
        if (!file.startsWith(path.resolve(dir) + path.sep)) break;
        try {
          const body = await readFile(file);
          response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body);
          return;
        } catch {
          break;
        }
      }
      response.writeHead(404).end('not found');
    })();
  });
  return listenOnLoopback(server);
}
