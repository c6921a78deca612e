// Verifies LiveKit webhooks with livekit-server-sdk's WebhookReceiver: the JWT in Authorization
// (HS256 with our API secret, not expired) and its sha256 claim over the exact raw body.
// receive() verifies and parses in one step; when it fails we tell "not from LiveKit" (401,
// which nothing should retry) from "signed, but not an event" (400) by checking the signature alone.
import { createHash, timingSafeEqual } from 'node:crypto';
import { TokenVerifier, WebhookReceiver } from 'livekit-server-sdk';
import { ServiceError } from '../errors';
import type { WebhookVerifier } from '../usecases/ports/WebhookVerifier';


export interface WebhookVerifierOptions {
  /** How far LiveKit's clock may be from ours for the JWT's time claims, in seconds (env WEBHOOK_CLOCK_TOLERANCE_SECONDS). @defaultValue 10 */
  clockToleranceSeconds?: number;
}

export function liveKitWebhookVerifier(apiKey: string, apiSecret: string, options: WebhookVerifierOptions = {}): WebhookVerifier {
  const tolerance = options.clockToleranceSeconds ?? 10;
  const receiver = new WebhookReceiver(apiKey, apiSecret);
  const tokens = new TokenVerifier(apiKey, apiSecret);

  const signatureHolds = async (rawBody: string, authorization: string): Promise<boolean> => {
    try {
      const claims = await tokens.verify(authorization, tolerance);
      const expected = Buffer.from(createHash('sha256').update(rawBody, 'utf8').digest('base64'));
      const claimed = Buffer.from(String(claims.sha256 ?? ''));
      return claimed.length === expected.length && timingSafeEqual(claimed, expected);
    } catch {
      return false;
    }
  };

  return {
    async verify(rawBody, authorization) {
      if (!authorization) throw new ServiceError('webhook_unauthorized', 'missing Authorization header');
      try {
        return await receiver.receive(rawBody, authorization, false, tolerance);
      } catch (error) {
        if (await signatureHolds(rawBody, authorization)) {
          throw new ServiceError('webhook_malformed', 'the signed body is not a LiveKit webhook event', { cause: error });
        }
        throw new ServiceError('webhook_unauthorized', 'invalid webhook signature', { cause: error });
      }
    },
  };
}
