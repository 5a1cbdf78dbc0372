/**
 * One iamport access token per container.
 *
 * - Reused until {@link REFRESH_MARGIN_MS} before it expires. The expiry is computed
 *   from the server's own clock (`expired_at - now`) added to our local clock at the
 *   moment we asked, so a container whose clock is an hour off still refreshes on time.
 * - Single-flight: N callers that need a token at once share one getToken request.
 * - `invalidate(token)` drops only that token, so when many requests hit 401 together
 *   the first one forces the refresh and the rest pick up the new token.
 */
import type { TokenResponse } from "./schemas.js";

/** Refresh this long before expiry: covers request latency and small drifts. */
export const REFRESH_MARGIN_MS = 60_000;

export interface TokenCacheOptions {
  /** Performs `POST /users/getToken` (with its own retries). */
  fetchToken: () => Promise<TokenResponse>;
  /** Local clock in ms. */
  now: () => number;
}

export interface TokenCache {
  /** A token valid for at least the refresh margin (or a fresh one, whatever its lifetime). */
  get(): Promise<string>;
  /** Forget `token` if it is still the cached one (a 401 proved it dead). */
  invalidate(token: string): void;
}

/** Creates the per-container token cache. */
export function createTokenCache(options: TokenCacheOptions): TokenCache {
  let cached: { token: string; refreshAtMs: number } | undefined;
  let inflight: Promise<string> | undefined;

  async function refresh(): Promise<string> {
    // Measured before sending: the server's `now` is later than this, so the computed
    // expiry errs early, never late.
    const askedAtMs = options.now();
    const issued = await options.fetchToken();
    const lifetimeMs = (issued.expired_at - issued.now) * 1000;
    cached = { token: issued.access_token, refreshAtMs: askedAtMs + lifetimeMs - REFRESH_MARGIN_MS };
    return issued.access_token;
  }

  return {
    get(): Promise<string> {
      if (cached && options.now() < cached.refreshAtMs) return Promise.resolve(cached.token);
      if (!inflight) {
        inflight = refresh().finally(() => {
          inflight = undefined;
        });
      }
      return inflight;
    },
    invalidate(token: string): void {
      if (cached?.token === token) cached = undefined;
    },
  };
}
