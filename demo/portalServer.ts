// The demo clinic portal's server: static pages, the built widget, a small API that calls the
// service's clinic API with its key (which never reaches the browser), and the receiving end of
// the service's events: POST /hooks, verified with the Standard Webhooks secret, passed on to the
// open pages as server-sent events (GET /api/events), so a page learns of a change without
// polling. A real portal would check who is logged in before minting a token or ending a session
// (only the counselor may); this demo trusts the link it printed.

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { listenOnLoopback } from '../scripts/loopbackServer';
import { ClinicApiError, createClinicClient, must } from '../webhook-service/client';

export interface PortalOptions {
  /** The service, e.g. `http://127.0.0.1:7000`. */
  clinicApiUrl: string;
  clinicApiToken: string;
  /** The built widget (dist/widget). */
  widgetDir: string;
  /** @defaultValue 0 (any free port) */
  port?: number;
  /** The secret of the service's events (CLINIC_WEBHOOK_SECRET); without it /hooks refuses everything. */
  webhookSecret?: string;
}

export interface Portal {
  /** `http://127.0.0.1:PORT` */
  url: string;
  stop(): Promise<void>;
}

const publicDir = path.join(__dirname, 'public');
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json' };

export async function startPortal(options: PortalOptions): Promise<Portal> {
  // The portal's backend holds the clinic API key; the browser only ever talks to the portal.
  const clinic = createClinicClient({ baseUrl: options.clinicApiUrl, token: options.clinicApiToken });

  const api = async (request: IncomingMessage, url: URL): Promise<{ status: number; body: unknown } | null> => {
    if (url.pathname === '/api/sessions' && request.method === 'POST') {
      const suffix = randomBytes(3).toString('hex');
      const session = must(await clinic.createSession({ roomName: `demo-${suffix}`, studentIdentity: `student-${suffix}`, counselorIdentity: `counselor-${suffix}` }));
      const join = (role: string, identity: string) => `/join.html?${new URLSearchParams({ session: String(session.id), identity, role })}`;
      return { status: 201, body: { id: session.id, roomName: session.roomName, studentUrl: join('student', `student-${suffix}`), counselorUrl: join('counselor', `counselor-${suffix}`) } };
    }
    const match = /^\/api\/sessions\/([^/]+)(\/token|\/end)?$/.exec(url.pathname);
    if (!match?.[1]) return null;
    const id = decodeURIComponent(match[1]);
    if (match[2] === '/end') {
      // The counselor's "End session for everyone" (the widget's end-url): the backend ends it.
      if (request.method !== 'POST') return { status: 405, body: { error: 'method not allowed' } };
      const session = must(await clinic.endSession(id));
      return { status: 200, body: { id: session.id, status: session.status } };
    }
    if (!match[2] && request.method === 'GET') {
      const session = must(await clinic.getSession(id));
      return { status: 200, body: { id: session.id, status: session.status, actualStart: session.actualStart ?? null } };
    }
    if (match[2] === '/token' && (request.method === 'GET' || request.method === 'POST')) {
      const identity = url.searchParams.get('identity');
      if (!identity) return { status: 400, body: { error: 'identity is required' } };
      const { token, url: livekitUrl } = must(await clinic.mintJoinToken(id, identity));
      return { status: 200, body: { token, url: livekitUrl } };
    }
    return { status: 405, body: { error: 'method not allowed' } };
  };

  const serveFile = async (response: ServerResponse, dir: string, relative: string): Promise<boolean> => {
    const file = path.resolve(dir, relative);
    if (!file.startsWith(path.resolve(dir) + path.sep)) return false;
    try {
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' }).end(body);
      return true;
    } catch {
      return false;
    }
  };

  // Pages listening for the service's events.
  const listeners = new Set<ServerResponse>();
  const verifier = options.webhookSecret ? new Webhook(options.webhookSecret) : null;

  const receiveEvent = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    let body = '';
    for await (const chunk of request) body += String(chunk);
    let event: { id: string; type: string; sessionId: string; occurredAt: string };
    try {
      if (!verifier) throw new Error('no secret');
      event = verifier.verify(body, request.headers as Record<string, string>) as typeof event;
    } catch {
      response.writeHead(401).end();
      return;
    }
    const line = `data: ${JSON.stringify({ id: event.id, type: event.type, sessionId: event.sessionId, occurredAt: event.occurredAt })}\n\n`;
    for (const listener of listeners) listener.write(line);
    response.writeHead(204).end();
  };

  const streamEvents = (request: IncomingMessage, response: ServerResponse): void => {
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    response.write(': listening\n\n');
    listeners.add(response);
    request.on('close', () => listeners.delete(response));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/hooks' && request.method === 'POST') {
      await receiveEvent(request, response);
      return;
    }
    if (url.pathname === '/api/events' && request.method === 'GET') {
      streamEvents(request, response);
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      try {
        const answer = await api(request, url);
        const { status, body } = answer ?? { status: 404, body: { error: 'not found' } };
        response.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
      } catch (error) {
        // The clinic API's refusals (a closed session's token: 409 with its code) reach the widget as they are.
        const refused = error instanceof ClinicApiError && error.status < 500;
        console.error(`portal: ${(error as Error).message}`);
        const body = refused ? { error: { code: error.code, message: error.message } } : { error: { code: 'clinic_api_failed', message: 'the clinic API failed' } };
        response.writeHead(refused ? error.status : 502, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      }
      return;
    }
    const served = url.pathname.startsWith('/widget/')
      ? await serveFile(response, options.widgetDir, url.pathname.slice('/widget/'.length))
      : await serveFile(response, publicDir, url.pathname === '/' ? 'index.html' : url.pathname.slice(1));
    if (!served) response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  };

  const portal = await listenOnLoopback(createServer((request, response) => void handle(request, response)), options.port ?? 0);
  return {
    url: portal.url,
    async stop() {
      for (const listener of listeners) listener.end();
      await portal.stop();
    },
  };
}
