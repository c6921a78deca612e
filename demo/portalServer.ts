// The demo clinic portal's server: static pages, the built widget, and a small API that calls
// the service's clinic API with CLINIC_API_TOKEN, which never reaches the browser. A real portal
// would check who is logged in before minting a token; this demo trusts the link it printed.

import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
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
    const match = /^\/api\/sessions\/([^/]+)(\/token)?$/.exec(url.pathname);
    if (!match?.[1]) return null;
    const id = decodeURIComponent(match[1]);
    if (!match[2] && request.method === 'GET') {
      const session = must(await clinic.getSession(id));
      return { status: 200, body: { id: session.id, status: session.status, actualStart: session.actualStart ?? null } };
    }
    if (match[2] && (request.method === 'GET' || request.method === 'POST')) {
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

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
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

  return listenOnLoopback(createServer((request, response) => void handle(request, response)), options.port ?? 0);
}
