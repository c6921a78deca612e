// The demo clinic portal's server: static pages, the built widget, a small API that calls the
// service's clinic API with its key (which never reaches the browser), and the receiving end of
// the service's events: POST /hooks, verified with the Standard Webhooks secret, passed on to the
// open pages as server-sent events (GET /api/events), so a page learns of a change without
// polling. Who is asking comes from the person's signed link (personalLinks.ts), never from a
// parameter: a student's link mints the student's token only and cannot end the session. A real
// portal does the same with its own login instead of links. A session may have a guardian, an
// interpreter and an observing supervisor besides the pair (appointmentForm.ts), each with a link.

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { listenOnLoopback } from '../scripts/loopbackServer';
import { ClinicApiError, createClinicClient, must } from '../webhook-service/client';
import { demoAppointment, readAppointmentForm } from './appointmentForm';
import { personalLinks } from './personalLinks';

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

/** The request's JSON body; undefined when there is none, a SyntaxError's message when it is not JSON. */
async function jsonBodyOf(request: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return 'not JSON';
  }
}
const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json' };

export async function startPortal(options: PortalOptions): Promise<Portal> {
  // The portal's backend holds the clinic API key; the browser only ever talks to the portal.
  const clinic = createClinicClient({ baseUrl: options.clinicApiUrl, token: options.clinicApiToken });

  // Drawn anew at each start: links of an earlier run open nothing.
  const links = personalLinks();

  const api = async (request: IncomingMessage, url: URL): Promise<{ status: number; body: unknown } | null> => {
    if (url.pathname === '/api/sessions' && request.method === 'POST') {
      const form = readAppointmentForm(await jsonBodyOf(request));
      if (typeof form === 'string') return { status: 400, body: { error: { code: 'invalid_form', message: form } } };
      const { people, request: body } = demoAppointment(form, randomBytes(3).toString('hex'));
      const session = must(await clinic.createSession(body));
      const join = (person: (typeof people)[number]) => `/join.html?${new URLSearchParams({ pass: links.issue({ sessionId: session.id, identity: person.identity, role: person.role }) })}`;
      const personal = people.map((person) => ({ ...person, url: join(person) }));
      const urlOf = (role: string) => personal.find((person) => person.role === role)?.url as string;
      return {
        status: 201,
        body: { id: session.id, roomName: session.roomName, observersDisclosed: session.observersDisclosed, studentUrl: urlOf('student'), counselorUrl: urlOf('counselor'), people: personal },
      };
    }
    const personal = /^\/api\/links\/([^/]+)\/(token|end)$/.exec(url.pathname);
    if (personal?.[1] && personal[2]) {
      const pass = links.read(personal[1]);
      if (!pass) return { status: 401, body: { error: { code: 'link_invalid', message: 'this link was not issued by this portal (or the portal restarted)' } } };
      if (request.method !== 'POST' && !(personal[2] === 'token' && request.method === 'GET')) return { status: 405, body: { error: 'method not allowed' } };
      if (personal[2] === 'token') {
        // The identity is the link's, whatever the page asks: a student's link mints the student's token.
        const { token, url: livekitUrl, endUrl } = must(await clinic.mintJoinToken(pass.sessionId, pass.identity));
        return { status: 200, body: { token, url: livekitUrl, ...(endUrl ? { endUrl } : {}) } };
      }
      // The counselor's "End session for everyone" (the widget's end-url): only the counselor's link.
      if (pass.role !== 'counselor') return { status: 403, body: { error: { code: 'not_counselor', message: 'only the counselor may end the session for everyone' } } };
      const session = must(await clinic.endSession(pass.sessionId));
      return { status: 200, body: { id: session.id, status: session.status } };
    }
    const match = /^\/api\/sessions\/([^/]+)$/.exec(url.pathname);
    if (!match?.[1]) return null;
    if (request.method !== 'GET') return { status: 405, body: { error: 'method not allowed' } };
    // The home page's status line: in a real portal, the clinic staff's own (logged-in) page.
    const session = must(await clinic.getSession(decodeURIComponent(match[1])));
    return { status: 200, body: { id: session.id, status: session.status, actualStart: session.actualStart ?? null } };
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
