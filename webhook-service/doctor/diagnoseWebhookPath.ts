// From what the intake wrote down about the probe room to a verdict on the webhook path and, when
// it failed, its most likely cause. Pure, so each cause is tested without a broken deployment.
import type { ProbeObservation } from '../probe/probeRooms';
import type { CheckResult } from './report';

export interface WebhookPathFacts {
  observations: readonly ProbeObservation[];
  /** When the probe participant connected, epoch ms. */
  joinedAt: number;
  /** How long the doctor waited for the participant_joined webhook, in ms. */
  waitedMs: number;
  /** Where the doctor expects the service; LiveKit must post to `<serviceUrl>/livekit/webhook` (or the address it has for it). */
  serviceUrl: string;
  /** Whether `<serviceUrl>/healthz` answered, or null when not checked. */
  serviceAnswers: boolean | null;
  /** LiveKit's clock minus ours, in seconds, or null when unknown. */
  clockOffsetSeconds: number | null;
  /** WEBHOOK_CLOCK_TOLERANCE_SECONDS */
  clockToleranceSeconds: number;
}

const NOT_RETRIED = 'LiveKit never retries a 4xx: until this is fixed every webhook is lost, and sessions start only when reconciliation notices the joins (up to RECONCILE_INTERVAL_SECONDS late).';

const TAKEN = new Set(['accepted', 'duplicate', 'ignored']);

function unauthorizedCause(seen: ProbeObservation, facts: WebhookPathFacts): string {
  if (seen.signedWith && seen.signedWith !== seen.verifiedWith) {
    return (
      `LiveKit signs its webhooks with the API key "${seen.signedWith}" but the service verifies them with "${seen.verifiedWith}": ` +
      `set LIVEKIT_WEBHOOK_API_KEY=${seen.signedWith} and LIVEKIT_WEBHOOK_API_SECRET to that key's secret (or set webhook.api_key in livekit.yaml to ${seen.verifiedWith}). ${NOT_RETRIED}`
    );
  }
  if (facts.clockOffsetSeconds !== null && Math.abs(facts.clockOffsetSeconds) > facts.clockToleranceSeconds) {
    return `the signature's time claims fail: LiveKit's clock is ${facts.clockOffsetSeconds.toFixed(1)} s from this machine's, beyond WEBHOOK_CLOCK_TOLERANCE_SECONDS=${facts.clockToleranceSeconds}; synchronise the clocks (NTP). ${NOT_RETRIED}`;
  }
  if (!seen.signedWith) return `the request carried no LiveKit signature (no JWT in Authorization): a proxy in front of the service may drop the header. ${NOT_RETRIED}`;
  return `the key matches ("${seen.verifiedWith}") but the signature does not: the service's secret for it (LIVEKIT_WEBHOOK_API_SECRET, else LIVEKIT_API_SECRET) is not the one in LiveKit's keys. ${NOT_RETRIED}`;
}

function refusedCause(seen: ProbeObservation, facts: WebhookPathFacts): string {
  switch (seen.outcome) {
    case 'unauthorized':
      return unauthorizedCause(seen, facts);
    case 'stale': {
      const late = seen.createdAt === null ? 'unknown' : `${(seen.receivedAt / 1000 - seen.createdAt).toFixed(0)} s`;
      return `the event arrived ${late} after LiveKit created it, outside WEBHOOK_MAX_AGE_SECONDS: the clocks differ (LiveKit's offset ${facts.clockOffsetSeconds ?? 'unknown'} s) or LiveKit's webhook queue held it. ${NOT_RETRIED}`;
    }
    case 'unavailable':
      return 'the service answered 503: MongoDB or Redis did not answer it in time (see its /readyz). LiveKit retries a few times for about 15 s, then drops the event.';
    case 'too_large':
    case 'malformed':
      return `the service refused the body as ${seen.outcome === 'too_large' ? 'too large (WEBHOOK_MAX_BYTES)' : 'not a LiveKit event'}: a proxy in front may rewrite it. ${NOT_RETRIED}`;
    default:
      return "the service failed on it (500): see the service's logs at that time. LiveKit retries a few times for about 15 s, then drops the event.";
  }
}

export function diagnoseWebhookPath(facts: WebhookPathFacts): CheckResult {
  const name = 'webhook-path';
  const joined = facts.observations.filter((seen) => seen.event === 'participant_joined');
  const taken = joined.find((seen) => TAKEN.has(seen.outcome));
  if (taken) {
    return { name, status: 'ok', detail: `a signed participant_joined reached the service ${Math.max(0, taken.receivedAt - facts.joinedAt)} ms after the probe participant connected (signed with "${taken.signedWith ?? '?'}")` };
  }
  const refused = joined.at(-1) ?? facts.observations.find((seen) => !TAKEN.has(seen.outcome));
  if (refused) {
    return { name, status: 'fail', detail: `LiveKit's ${refused.event || 'webhook'} reached the service, which refused it (${refused.outcome})`, cause: refusedCause(refused, facts) };
  }
  const seconds = Math.round(facts.waitedMs / 1000);
  if (facts.observations.length > 0) {
    const events = [...new Set(facts.observations.map((seen) => seen.event))].join(', ');
    return {
      name,
      status: 'fail',
      detail: `the service received ${events} for the probe room but no participant_joined in ${seconds} s`,
      cause: "LiveKit's webhook filter (webhook.filter_params in livekit.yaml, or the LiveKit Cloud project's event selection) leaves out participant_joined, which the service needs.",
    };
  }
  if (facts.serviceAnswers === false) {
    return {
      name,
      status: 'fail',
      detail: `no webhook about the probe room reached the service in ${seconds} s`,
      cause: `the service does not answer at ${facts.serviceUrl}/healthz: start it (or give the doctor --service-url), then run the doctor again.`,
    };
  }
  return {
    name,
    status: 'fail',
    detail: `no webhook about the probe room reached the service in ${seconds} s`,
    cause:
      `LiveKit does not post its webhooks where this service hears them. Check that webhook.urls in livekit.yaml (LiveKit Cloud: the project's Webhooks settings) lists this service's /livekit/webhook at an address LiveKit can reach (here ${facts.serviceUrl}/livekit/webhook), ` +
      'that webhook.api_key is set (without it LiveKit sends no webhooks at all), and that no proxy or firewall in between refuses the request (a 4xx from it is never retried).',
  };
}
