// A clinic backend for the tests: an HTTP server on 127.0.0.1 that receives the service's events,
// verifies each with the standardwebhooks package and the secret it was given, and records them
// (answering 503 while `down`). GET /received?sessionId= lists what it recorded, for test files
// that run apart from the process that started it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedEvent {
  id: string;
  type: string;
  sessionId: string;
  verified: boolean;
}

export interface ClinicBackend {
  /** Where the service posts: `<url>/hooks`. */
  url: string;
  hooksUrl: string;
  received: ReceivedEvent[];
  /** `down`: answers 503; `redirectTo`: answers 302 to that URL (a receiver that moved). */
  state: { down: boolean; refused: number; redirectTo: string | null };
  close(): Promise<void>;
}

export async function startClinicBackend(secret: string): Promise<ClinicBackend> {
  const verifier = new Webhook(secret);
  const received: ReceivedEvent[] = [];
  const state: ClinicBackend['state'] = { down: false, refused: 0, redirectTo: null };
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (request.method === 'GET' && request.url?.startsWith('/received')) {
        const sessionId = new URL(request.url, 'http://127.0.0.1').searchParams.get('sessionId');
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received.filter((event) => !sessionId || event.sessionId === sessionId)));
        return;
      }
      if (state.redirectTo !== null) {
        state.refused += 1;
        response.writeHead(302, { location: state.redirectTo }).end();
        return;
      }
      if (state.down) {
        state.refused += 1;
        response.writeHead(503).end();
        return;
      }
      let verified = true;
      try {
        verifier.verify(body, request.headers as Record<string, string>);
      } catch {
        verified = false;
      }
      const payload = JSON.parse(body) as { id: string; type: string; sessionId: string };
      received.push({ id: payload.id, type: payload.type, sessionId: payload.sessionId, verified });
      response.writeHead(verified ? 204 : 401).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, hooksUrl: `${url}/hooks`, received, state, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
