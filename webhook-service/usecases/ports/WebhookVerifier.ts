// The port that turns a signed LiveKit webhook into its event, or refuses it.
import type { WebhookEventLike } from '../../../plugin';

export interface WebhookVerifier {
  /** Throws ServiceError `webhook_unauthorized` or `webhook_malformed`. */
  verify(rawBody: string, authorization: string | undefined): Promise<WebhookEventLike>;
}
