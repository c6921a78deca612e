// An open-loop load generator: requests leave on a fixed schedule whatever the answers do, so
// a slow server shows up as latency (no coordinated omission), over keep-alive connections.
import http from 'node:http';

export interface LoadRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface LoadResult {
  sent: number;
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  latenciesMs: number[];
  durationMs: number;
  achievedRate: number;
}

export interface LoadOptions {
  baseUrl: string;
  ratePerSecond: number;
  requests: LoadRequest[];
  /** Upper bound on sockets; past it requests queue in the agent (and count as latency). */
  maxSockets?: number;
}

function send(agent: http.Agent, url: URL, request: LoadRequest): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      { agent, method: 'POST', hostname: url.hostname, port: url.port, path: request.path, headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.end(request.body);
  });
}

export async function runOpenLoop(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 256 });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const pending: Promise<void>[] = [];
  const intervalMs = 1000 / options.ratePerSecond;
  const started = performance.now();
  for (let i = 0; i < options.requests.length; i += 1) {
    const due = started + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const request = options.requests[i] as LoadRequest;
    // Latency counts from the scheduled time, so a backlog in the generator is charged too.
    pending.push(
      send(agent, url, request).then((status) => {
        latencies.push(performance.now() - due);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }),
    );
  }
  await Promise.all(pending);
  const durationMs = performance.now() - started;
  agent.destroy();
  const ok = Object.entries(statuses).filter(([s]) => s.startsWith('2')).reduce((n, [, c]) => n + c, 0);
  return {
    sent: options.requests.length,
    ok,
    failed: options.requests.length - ok,
    statuses,
    latenciesMs: latencies,
    durationMs,
    achievedRate: options.requests.length / (durationMs / 1000),
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}
