// The outbox's rules, pure: which endpoints an event goes to (its clinic's) under which name, how long a failed
// delivery waits before its next try, and when it gives up. The store, the sender and the worker
// only carry them out.
import { createHash } from 'node:crypto';

/** The longest wait between two tries of one delivery. */
export const MAX_BACKOFF_MS = 3600_000;

/** An endpoint of the clinic's backend, known by its name: queued deliveries follow the name, never a position in the list. */
export interface Endpoint {
  name: string;
  url: string;
}

/** An endpoint's owner that receives every clinic's events: the operator's own, never a clinic's. */
export const EVERY_CLINIC = '*';

/** An endpoint and the clinic whose events it receives (or EVERY_CLINIC). */
export interface ClinicEndpoint extends Endpoint {
  clinic: string;
  /** The secrets its events are signed with (its own, else CLINIC_WEBHOOK_SECRET); the sender's own when absent. */
  secrets?: readonly string[];
}

/** Each endpoint with its clinic from `owners` (by endpoint name); every one the `fallback` clinic's when there are no owners. */
export function assignClinics(endpoints: readonly Endpoint[], owners: Readonly<Record<string, string>> | null, fallback: string): ClinicEndpoint[] {
  return endpoints.map((endpoint) => ({ ...endpoint, clinic: owners?.[endpoint.name] ?? fallback }));
}

/** The endpoints a clinic's events go to: its own, and those that take every clinic's. */
export function endpointsOf(endpoints: readonly ClinicEndpoint[], clinicId: string): ClinicEndpoint[] {
  return endpoints.filter((endpoint) => endpoint.clinic === clinicId || endpoint.clinic === EVERY_CLINIC);
}

export interface DeliveryPolicy {
  /** How long a delivery is retried before it counts as failed, in ms. */
  retryForMs: number;
  /** The first retry delay, doubled on each try up to MAX_BACKOFF_MS, in ms. */
  backoffMs: number;
}

const NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/** True for a URL on this machine's loopback: the only place events may go without TLS. */
export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || url.hostname.startsWith('127.');
}

/**
 * Reads one CLINIC_WEBHOOK_URLS entry: `name=https://...`, or a bare URL, whose name is then
 * derived from the URL itself (stable when the list is reordered). Throws a message that says
 * what is wrong.
 */
export function parseEndpoint(entry: string): Endpoint {
  const separator = entry.indexOf('=');
  const named = separator > 0 && !entry.slice(0, separator).includes(':');
  const name = named ? entry.slice(0, separator).trim() : null;
  const text = named ? entry.slice(separator + 1).trim() : entry.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`"${name ?? 'an entry'}" is not a URL`);
  }
  if (name !== null && !NAME.test(name)) throw new Error(`endpoint name "${name}" must be 1-40 lowercase letters, digits, - or _`);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    throw new Error(`${name ? `endpoint "${name}"` : 'an endpoint'} must use https:// (http:// only on loopback)`);
  }
  return { name: name ?? `url-${createHash('sha256').update(url.href).digest('hex').slice(0, 12)}`, url: url.href };
}

/** Every entry, with names unique. */
export function parseEndpoints(entries: readonly string[]): Endpoint[] {
  const endpoints = entries.map(parseEndpoint);
  const names = endpoints.map((endpoint) => endpoint.name);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) throw new Error(`endpoint "${repeated}" is listed twice`);
  return endpoints;
}

/** The wait after the `failures`-th failed try (1-based): doubled each time, capped at an hour. */
export function backoffAfter(failures: number, backoffMs: number): number {
  return Math.min(backoffMs * 2 ** Math.max(0, failures - 1), MAX_BACKOFF_MS);
}

/** What to do with a delivery that just failed for the `failures`-th time, first tried at `firstTriedAt`. */
export function afterFailure(policy: DeliveryPolicy, failures: number, firstTriedAt: number, now: number): { kind: 'retry'; at: number } | { kind: 'give_up' } {
  const at = now + backoffAfter(failures, policy.backoffMs);
  // The next try would start past the window: this one was the last.
  return at - firstTriedAt > policy.retryForMs ? { kind: 'give_up' } : { kind: 'retry', at };
}

/** A delivery's id (DELIVERY_ID_PATTERN): the same event for the same endpoint is one delivery, however often it is published. */
export function deliveryId(endpoint: string, eventId: string): string {
  return `dlv_${createHash('sha256').update(`${endpoint}\n${eventId}`).digest('base64url').slice(0, 22)}`;
}

/** One HTTP answer (or its absence) as the outcome of a try: only a 2xx delivers; a redirect is not followed. */
export function outcomeOf(answer: { status: number } | { error: string }): { delivered: true } | { delivered: false; problem: string } {
  if ('error' in answer) return { delivered: false, problem: answer.error };
  if (answer.status >= 200 && answer.status < 300) return { delivered: true };
  if (answer.status >= 300 && answer.status < 400) return { delivered: false, problem: `HTTP ${answer.status} (redirects are not followed)` };
  return { delivered: false, problem: `HTTP ${answer.status}` };
}
