// The access tokens the service signs for its own LiveKit API calls, kept for a while and reused.
// livekit-server-sdk signs a fresh JWT for every call (an HMAC through WebCrypto, a key import
// each time); an activation makes five calls for one room with the same grant, and in a surge
// that signing was a visible share of the worker's CPU (bench/surgeBreakdown.ts's profile). A
// token is reused only well inside its own lifetime, so LiveKit never sees one near expiry.

/** How a token is asked for: its grant, as the SDK passes it (the cache key is its JSON). */
export type Grant = Readonly<Record<string, unknown>>;

export interface ReusedTokensOptions {
  /** How long one signed header is reused, in ms; keep it well under the token's TTL. @defaultValue 5 minutes (the SDK's TTL: 10 minutes) */
  reuseForMs?: number;
  /** Grants kept at most (one per room the service calls about); the oldest go first. @defaultValue 10,000 */
  maxKept?: number;
  now?: () => number;
}

interface Kept {
  header: Promise<Record<string, string>>;
  until: number;
}

export class ReusedTokens {
  private readonly kept = new Map<string, Kept>();
  private readonly reuseForMs: number;
  private readonly maxKept: number;
  private readonly now: () => number;

  constructor(options: ReusedTokensOptions = {}) {
    this.reuseForMs = options.reuseForMs ?? 5 * 60_000;
    this.maxKept = options.maxKept ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** The header for `grant`: the kept one while it is fresh, else `sign()`'s (calls at once share one signing). */
  header(grant: Grant, sign: () => Promise<Record<string, string>>): Promise<Record<string, string>> {
    const key = JSON.stringify(grant);
    const now = this.now();
    const kept = this.kept.get(key);
    if (kept && kept.until > now) return kept.header;
    const header = sign();
    this.kept.delete(key);
    this.kept.set(key, { header, until: now + this.reuseForMs });
    // A failed signing is not kept: the next call signs again.
    header.catch(() => {
      if (this.kept.get(key)?.header === header) this.kept.delete(key);
    });
    // A Map iterates in insertion order: the first key is the oldest signing.
    while (this.kept.size > this.maxKept) this.kept.delete(this.kept.keys().next().value as string);
    return header;
  }
}
