// One try of one delivery: a Standard Webhooks POST (webhook-id, webhook-timestamp,
// webhook-signature) with a timeout, never following a redirect. Answers what happened; the
// policy decides what it means.
import { Webhook } from 'standardwebhooks';

/** The wire form of a clinic event: versioned, ids and times only. */
export interface EventPayload {
  v: 1;
  id: string;
  type: string;
  sessionId: string;
  occurredAt: string;
  data: Record<string, unknown>;
}

export type SendAnswer = { status: number } | { error: string };

export interface WebhookSender {
  /** Signs with `secrets` (the endpoint's own) or, without them, with the sender's. */
  send(url: string, payload: EventPayload, secrets?: readonly string[]): Promise<SendAnswer>;
}

export interface WebhookSenderOptions {
  /** CLINIC_WEBHOOK_SECRET: one, or two during a rotation (each event is then signed with every one given). */
  secrets: readonly string[];
  /** Per-POST timeout, in ms. */
  timeoutMs: number;
  now?: () => Date;
}

export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const signers = new Map<string, Webhook>();
  const signerOf = (secret: string): Webhook => {
    let signer = signers.get(secret);
    if (!signer) {
      signer = new Webhook(secret);
      signers.set(secret, signer);
    }
    return signer;
  };
  const now = options.now ?? (() => new Date());
  return {
    async send(url, payload, secrets = options.secrets) {
      const body = JSON.stringify(payload);
      const timestamp = now();
      try {
        const response = await fetch(url, {
          method: 'POST',
          redirect: 'manual',
          headers: {
            'content-type': 'application/json',
            'webhook-id': payload.id,
            'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
            // Standard Webhooks: space-separated signatures; a receiver accepts any one it can verify.
            'webhook-signature': secrets.map((secret) => signerOf(secret).sign(payload.id, timestamp, body)).join(' '),
          },
          body,
          signal: AbortSignal.timeout(options.timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        return { status: response.status };
      } catch (error) {
        // Never the URL (it may carry a token): undici's messages do not name it, and a cause's may.
        const message = error instanceof Error ? (error.name === 'TimeoutError' ? `timed out after ${options.timeoutMs} ms` : error.message) : String(error);
        return { error: message.replace(/\bhttps?:\/\/\S+/g, '<url>') };
      }
    },
  };
}
