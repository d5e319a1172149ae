import { backoffDelay, type BackoffPolicy, type Now } from '@app/runtime';

/** An app-token and its expiry (epoch ms, as the gateway reports it). */
export interface IssuedToken {
  token: string;
  expiresAt: number;
}

export interface TokenManagerOptions {
  /** Refresh this long before `expires` (capped at a tenth of the token's lifetime). */
  refreshMarginMs: number;
  /** Used when `expires` is already past by our clock (skew): trust the token this long. */
  fallbackLifetimeMs?: number;
  /**
   * After a failed token request, how long every caller gets the same error without a new request
   * (`consecutive` counts failures in a row). Default: 1 s doubling to 30 s.
   */
  failureHoldMs?: (error: unknown, consecutive: number) => number;
  now?: Now;
}

/** 1 s doubling to 30 s, no jitter (every caller shares the one hold). */
export const TOKEN_FAILURE_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000, jitter: 'none' };

const defaultHold = (_error: unknown, consecutive: number) =>
  backoffDelay(consecutive, TOKEN_FAILURE_BACKOFF);

/**
 * One tenant's app-token: fetched once and shared by every concurrent caller (one request in
 * flight at most), refreshed shortly before it expires (callers keep using the current token
 * while the refresh runs), dropped when the gateway refuses it. A failed token request is not
 * repeated per caller: its error is handed to everyone for a hold time (bad credentials: a minute).
 */
export class TokenManager {
  private current: { token: string; refreshAt: number; expiresAt: number } | undefined;
  private inFlight: Promise<string> | undefined;
  private failure: { error: unknown; until: number; consecutive: number } | undefined;
  private readonly now: () => number;
  private fetches = 0;

  constructor(
    private readonly fetchToken: () => Promise<IssuedToken>,
    private readonly options: TokenManagerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Token requests made so far (for tests and logs). */
  get fetchCount(): number {
    return this.fetches;
  }

  async get(): Promise<string> {
    const now = this.now();
    const current = this.current;
    if (current && now < current.refreshAt) return current.token;
    const held = this.failure && now < this.failure.until;
    if (current && now < current.expiresAt) {
      // due for refresh but still valid: refresh in the background, keep serving it
      if (!held) this.refresh().catch(() => undefined);
      return current.token;
    }
    if (held && !this.inFlight) throw this.failure!.error;
    return this.refresh();
  }

  /** The gateway refused `token` (4010/4011): forget it unless it was already replaced. */
  invalidate(token: string): void {
    if (this.current?.token === token) this.current = undefined;
  }

  private refresh(): Promise<string> {
    if (!this.inFlight) {
      this.fetches++;
      const requestedAt = this.now();
      this.inFlight = this.fetchToken()
        .then((issued) => {
          this.current = { token: issued.token, ...this.schedule(issued, requestedAt) };
          this.failure = undefined;
          return issued.token;
        })
        .catch((error: unknown) => {
          const consecutive = (this.failure?.consecutive ?? 0) + 1;
          const hold = (this.options.failureHoldMs ?? defaultHold)(error, consecutive);
          this.failure = { error, until: this.now() + hold, consecutive };
          throw error;
        })
        .finally(() => {
          this.inFlight = undefined;
        });
    }
    return this.inFlight;
  }

  private schedule(issued: IssuedToken, requestedAt: number): { refreshAt: number; expiresAt: number } {
    const lifetime = issued.expiresAt - requestedAt;
    if (lifetime <= 0) {
      const until = requestedAt + (this.options.fallbackLifetimeMs ?? 60000);
      return { refreshAt: until, expiresAt: until };
    }
    return {
      refreshAt: issued.expiresAt - Math.min(this.options.refreshMarginMs, lifetime / 10),
      expiresAt: issued.expiresAt,
    };
  }
}
